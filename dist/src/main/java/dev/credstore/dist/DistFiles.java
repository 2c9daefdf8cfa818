package dev.credstore.dist;

import dev.credstore.cli.command.Credstore;
import dev.credstore.cli.session.Context;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Build-time generator of the files a release ships beside the jar: AsciiDoc man pages (turned into
 * troff by asciidoctor), and bash, zsh and fish completions. All of them come from the same picocli
 * model the command parses with, so they cannot drift from it. Build tooling: never in the jar.
 */
final class DistFiles {

  private DistFiles() {}

  /** Arguments: the AsciiDoc output directory, then the completions output directory. */
  public static void main(String[] args) throws IOException {
    Path manDir = Files.createDirectories(Path.of(args[0]));
    Path completionDir = Files.createDirectories(Path.of(args[1]));
    CommandLine commandLine = model();
    int status = ManPageGenerator.generateManPage(manDir.toFile(), null, new boolean[0], true,
        commandLine.getCommandSpec());
    if (status != 0) {
      throw new IOException("man page generation failed with status " + status);
    }
    write(completionDir.resolve("credstore.bash"), AutoComplete.bash("credstore", commandLine));
    write(completionDir.resolve("_credstore"), zsh(commandLine.getCommandSpec()));
    write(completionDir.resolve("credstore.fish"), fish(commandLine.getCommandSpec()));
  }

  static CommandLine model() {
    Writer sink = new StringWriter();
    return Credstore.commandLine(Context.system(), new PrintWriter(sink), new PrintWriter(sink));
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  // ---- fish ----

  static String fish(CommandSpec root) {
    StringBuilder out = new StringBuilder();
    String name = root.name();
    out.append("# fish completion for ").append(name)
        .append(", generated at build time from its picocli model\n");
    // No file names unless an option or argument takes a path.
    out.append("complete -c ").append(name).append(" -f\n");
    List<CommandSpec> subcommands = visibleSubcommands(root);
    String noSubcommand = "not __fish_seen_subcommand_from " + String.join(" ", names(subcommands));
    for (CommandSpec sub : subcommands) {
      out.append("complete -c ").append(name).append(" -n '").append(noSubcommand).append("' -a ")
          .append(sub.name()).append(" -d ").append(fishQuote(summary(sub))).append('\n');
    }
    fishOptions(out, name, noSubcommand, root);
    for (CommandSpec sub : subcommands) {
      String seen = "__fish_seen_subcommand_from " + sub.name();
      fishOptions(out, name, seen, sub);
      Set<String> values = new LinkedHashSet<>();
      boolean files = false;
      for (PositionalParamSpec positional : sub.positionalParameters()) {
        if (positional.hidden()) {
          continue;
        }
        values.addAll(candidates(positional));
        files |= takesPath(positional);
      }
      if (!values.isEmpty()) {
        out.append("complete -c ").append(name).append(" -n '").append(seen).append("' -a ")
            .append(fishQuote(String.join(" ", values))).append('\n');
      }
      if (files) {
        out.append("complete -c ").append(name).append(" -n '").append(seen).append("' -F\n");
      }
    }
    return out.toString();
  }

  private static void fishOptions(StringBuilder out, String name, String condition,
      CommandSpec command) {
    for (OptionSpec option : command.options()) {
      if (option.hidden()) {
        continue;
      }
      out.append("complete -c ").append(name).append(" -n '").append(condition).append('\'');
      for (String optionName : option.names()) {
        if (optionName.startsWith("--")) {
          out.append(" -l ").append(optionName.substring(2));
        } else if (optionName.length() == 2) {
          out.append(" -s ").append(optionName.substring(1));
        }
      }
      if (option.arity().max() > 0) {
        List<String> values = candidates(option);
        if (!values.isEmpty()) {
          out.append(" -x -a ").append(fishQuote(String.join(" ", values)));
        } else if (takesPath(option)) {
          out.append(" -r -F");
        } else {
          out.append(" -x");
        }
      }
      out.append(" -d ").append(fishQuote(summary(option))).append('\n');
    }
  }

  private static String fishQuote(String text) {
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  // ---- zsh ----

  static String zsh(CommandSpec root) {
    String name = root.name();
    String function = "_" + name;
    StringBuilder out = new StringBuilder();
    out.append("#compdef ").append(name).append('\n');
    out.append("# zsh completion for ").append(name)
        .append(", generated at build time from its picocli model\n\n");
    List<CommandSpec> subcommands = visibleSubcommands(root);
    out.append(function).append("() {\n");
    out.append("  local curcontext=\"$curcontext\" state line\n");
    out.append("  typeset -A opt_args\n");
    out.append("  _arguments -C \\\n");
    for (String spec : zshOptions(root)) {
      out.append("    ").append(spec).append(" \\\n");
    }
    out.append("    '1: :->command' \\\n");
    out.append("    '*:: :->argument'\n");
    out.append("  case $state in\n");
    out.append("    command)\n");
    out.append("      local -a commands\n");
    out.append("      commands=(\n");
    for (CommandSpec sub : subcommands) {
      out.append("        ").append(zshQuote(sub.name() + ":" + zshEscape(summary(sub))))
          .append('\n');
    }
    out.append("      )\n");
    out.append("      _describe -t commands 'command' commands\n");
    out.append("      ;;\n");
    out.append("    argument)\n");
    out.append("      case $words[1] in\n");
    for (CommandSpec sub : subcommands) {
      out.append("        ").append(sub.name()).append(")\n");
      out.append("          _arguments \\\n");
      List<String> specs = new ArrayList<>(zshOptions(sub));
      for (PositionalParamSpec positional : sub.positionalParameters()) {
        if (positional.hidden()) {
          continue;
        }
        String label = zshEscape(positional.paramLabel());
        String action = zshAction(positional);
        String position = positional.arity().max() > 1 || positional.index().isUnresolved()
            || positional.index().max() == Integer.MAX_VALUE ? "*" : String.valueOf(
            positional.index().min() + 1);
        if (positional.arity().min() == 0 && !position.equals("*")) {
          position += ":";
        }
        specs.add(zshQuote(position + ":" + label + ":" + action));
      }
      for (int i = 0; i < specs.size(); i++) {
        out.append("            ").append(specs.get(i))
            .append(i + 1 < specs.size() ? " \\\n" : "\n");
      }
      if (specs.isEmpty()) {
        out.append("            '*: :'\n");
      }
      out.append("          ;;\n");
    }
    out.append("      esac\n");
    out.append("      ;;\n");
    out.append("  esac\n");
    out.append("}\n\n");
    out.append(function).append(" \"$@\"\n");
    return out.toString();
  }

  private static List<String> zshOptions(CommandSpec command) {
    List<String> specs = new ArrayList<>();
    for (OptionSpec option : command.options()) {
      if (option.hidden()) {
        continue;
      }
      String description = "[" + zshEscape(summary(option)) + "]";
      String[] names = option.names();
      String exclusion = names.length > 1 ? "(" + String.join(" ", names) + ")" : "";
      for (String optionName : names) {
        String argument = "";
        if (option.arity().max() > 0) {
          argument = ":" + zshEscape(option.paramLabel()) + ":" + zshAction(option);
          if (optionName.startsWith("--")) {
            optionName += "=";
          }
        }
        specs.add(zshQuote(exclusion + optionName + description + argument));
      }
    }
    return specs;
  }

  private static String zshAction(ArgSpec arg) {
    List<String> values = candidates(arg);
    if (!values.isEmpty()) {
      return "(" + String.join(" ", values) + ")";
    }
    return takesPath(arg) ? "_files" : " ";
  }

  private static String zshEscape(String text) {
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]").replace(":", "\\:");
  }

  private static String zshQuote(String text) {
    return "'" + text.replace("'", "'\\''") + "'";
  }

  // ---- shared ----

  private static List<CommandSpec> visibleSubcommands(CommandSpec root) {
    List<CommandSpec> visible = new ArrayList<>();
    for (CommandLine sub : root.subcommands().values()) {
      if (!sub.getCommandSpec().usageMessage().hidden()
          && !visible.contains(sub.getCommandSpec())) {
        visible.add(sub.getCommandSpec());
      }
    }
    return visible;
  }

  private static List<String> names(List<CommandSpec> commands) {
    List<String> names = new ArrayList<>();
    for (CommandSpec command : commands) {
      names.add(command.name());
    }
    return names;
  }

  private static List<String> candidates(ArgSpec arg) {
    List<String> values = new ArrayList<>();
    if (arg.completionCandidates() != null) {
      arg.completionCandidates().forEach(values::add);
    }
    return values;
  }

  private static boolean takesPath(ArgSpec arg) {
    Class<?> type = arg.type();
    return type == Path.class || type == java.io.File.class;
  }

  /** The first clause of the first description line: what fits beside a completion. */
  private static String summary(CommandSpec command) {
    String[] description = command.usageMessage().description();
    return firstSentence(description.length == 0 ? "" : description[0]);
  }

  private static String summary(ArgSpec arg) {
    String[] description = arg.description();
    return firstSentence(description.length == 0 ? "" : description[0]);
  }

  private static String firstSentence(String text) {
    String line = text.replace("%n", " ").replaceAll("\\s+", " ").trim();
    for (String stop : new String[] {". ", ": ", "; "}) {
      int end = line.indexOf(stop);
      if (end > 0) {
        line = line.substring(0, end);
      }
    }
    if (line.endsWith(".")) {
      line = line.substring(0, line.length() - 1);
    }
    // A completion menu shows one line per candidate.
    if (line.length() > 72) {
      int cut = line.lastIndexOf(' ', 70);
      line = line.substring(0, cut > 0 ? cut : 70) + "...";
    }
    return line;
  }
}
