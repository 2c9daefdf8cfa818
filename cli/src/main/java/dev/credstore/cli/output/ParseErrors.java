package dev.credstore.cli.output;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one-line message for a command line that did not parse. picocli's own messages quote every
 * unmatched argument, and an argument that was never meant to be there may be a token pasted into
 * the command line: only what looks like a mistyped word is quoted, the nearest command or option is
 * suggested, and a command that takes a secret says how to pipe it in instead.
 */
final class ParseErrors {

  private ParseErrors() {}

  static String describe(ParameterException failure) {
    if (!(failure instanceof UnmatchedArgumentException unmatched)) {
      return failure.getMessage();
    }
    CommandSpec spec = unmatched.getCommandLine().getCommandSpec();
    List<String> arguments = unmatched.getUnmatched();
    String first = arguments.isEmpty() ? "" : arguments.get(0);
    StringBuilder message = new StringBuilder();
    boolean option = first.startsWith("-");
    if (option) {
      message.append("unknown option ").append(shown(optionName(first), "--?[a-z][a-z-]{0,24}"));
    } else if (!spec.subcommands().isEmpty() && spec.positionalParameters().isEmpty()) {
      message.append("unknown command ").append(shown(first, "[a-z][a-z-]{0,19}"));
    } else {
      // An extra positional argument is never quoted: after SERVICE it is most likely a secret.
      message.append(arguments.size() == 1 ? "an unexpected argument" : arguments.size()
          + " unexpected arguments").append(" (not shown: it may be a secret)");
    }
    String suggestion = option ? nearest(optionName(first), optionNames(spec))
        : spec.positionalParameters().isEmpty() ? nearest(first, spec.subcommands().keySet())
        : null;
    if (suggestion != null) {
      message.append(". Did you mean this? ").append(suggestion);
    }
    if (spec.findOption("--token-stdin") != null && (!option || secretLike(first))) {
      message.append(". Secrets never come from the command line; pipe it in: printf '%s\\n' "
          + "\"$TOKEN\" | ").append(spec.qualifiedName()).append(' ').append(service(spec))
          .append(" --token-stdin");
    }
    return message.toString();
  }

  private static String optionName(String argument) {
    int equals = argument.indexOf('=');
    return equals < 0 ? argument : argument.substring(0, equals);
  }

  private static List<String> optionNames(CommandSpec spec) {
    List<String> names = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      if (!option.hidden()) {
        names.addAll(List.of(option.names()));
      }
    }
    return names;
  }

  /**
   * The candidate nearest to {@code typed}, if it is near enough to be a typo: at most one edit in
   * three characters (at least one), or {@code typed} is the start of exactly one candidate
   * ({@code --token} for {@code --token-stdin}). Null when nothing is that close.
   */
  static String nearest(String typed, Collection<String> candidates) {
    if (typed.length() < 2) {
      return null;
    }
    String best = null;
    int bestDistance = Math.max(1, typed.replaceFirst("^-+", "").length() / 3) + 1;
    List<String> extending = new ArrayList<>();
    for (String candidate : candidates) {
      if (candidate.startsWith(typed) && typed.length() >= 4) {
        extending.add(candidate);
      }
      int distance = distance(typed, candidate);
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (best == null && extending.size() == 1) {
      best = extending.get(0);
    }
    return best;
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, swaps. */
  private static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  /** {@code 'word'} when it matches {@code pattern}, else a note that it is not shown. */
  private static String shown(String argument, String pattern) {
    return argument.matches(pattern) ? "'" + argument + "'"
        : "(not shown: it may be a secret)";
  }

  /** An option whose name says it would carry a secret: {@code --token}, {@code --password}... */
  private static boolean secretLike(String option) {
    String name = option.toLowerCase(java.util.Locale.ROOT);
    return name.contains("token") || name.contains("secret") || name.contains("pass")
        || name.contains("key") || name.contains("=");
  }

  /** The SERVICE the user gave, if it parsed as one, for a line to copy; else "SERVICE". */
  private static String service(CommandSpec spec) {
    for (PositionalParamSpec positional : spec.positionalParameters()) {
      if (positional.paramLabel().equals("SERVICE") && positional.getValue() instanceof String value
          && value.matches("[a-z0-9][a-z0-9._-]{0,40}")) {
        return value;
      }
    }
    return "SERVICE";
  }
}
