package dev.credstore.cli.command;

import dev.credstore.cli.output.ExitCodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * How help looks: as wide as {@code COLUMNS} says, global options and exit codes once (in the
 * root's help and {@code credstore help exit-codes}), and an Examples section whose lines are
 * printed as they are, never wrapped, so that a command can be copied whole.
 */
final class HelpLayout {

  /** picocli's narrowest layout; below it the option column would not fit. */
  static final int MIN_WIDTH = 55;
  static final int MAX_WIDTH = 160;
  private static final String EXAMPLES = "credstoreExamples";
  private static final String SEE_ALSO = "credstoreSeeAlso";

  // Examples per command: each line is something to type, so none is wrapped.
  private static final Map<String, List<String>> EXAMPLE_LINES = Map.ofEntries(
      Map.entry("credstore", List.of(
          "credstore login k6",
          "printf '%s\\n' \"$TOKEN\" | credstore login k6 --token-stdin",
          "K6_CLOUD_TOKEN=$(credstore get k6) k6 cloud run script.js",
          "credstore help login",
          "credstore help exit-codes")),
      Map.entry("login", List.of(
          "credstore login k6 --stack my-stack --project 123",
          "printf '%s\\n' \"$TOKEN\" | credstore login k6 --token-stdin",
          "credstore login appcircle --api-key my-key --secret-stdin < secret.txt")),
      Map.entry("get", List.of(
          "TOKEN=$(credstore get k6)",
          "credstore get k6 --json --no-env")),
      Map.entry("list", List.of(
          "credstore list",
          "credstore list k6 --json")),
      Map.entry("logout", List.of(
          "credstore logout k6",
          "credstore logout --all --yes")),
      Map.entry("status", List.of(
          "credstore status",
          "credstore status --max-age 90d")),
      Map.entry("migrate", List.of(
          "credstore migrate --dry-run",
          "credstore migrate")),
      Map.entry("rotate", List.of(
          "printf '%s\\n' \"$NEW_TOKEN\" | credstore rotate k6 --token-stdin",
          "printf '%s\\n' \"$NEW_TOKEN\" | credstore rotate k6 --token-stdin --verify -- "
              + "k6 cloud login --show",
          "credstore rotate k6 --rollback")),
      Map.entry("exec", List.of(
          "credstore exec k6 -- k6 cloud run script.js",
          "credstore exec --service k6 --service upsun -- ./deploy.sh")),
      Map.entry("passwd", List.of("credstore passwd")),
      Map.entry("rekey", List.of("credstore rekey")),
      Map.entry("doctor", List.of("credstore doctor")),
      Map.entry("git-credential", List.of(
          "git config --global credential.helper '!credstore git-credential'")),
      Map.entry("docker-credential", List.of(
          "\"credsStore\": \"credstore\"   (in ~/.docker/config.json)")));

  private HelpLayout() {}

  /** Applies the layout to {@code root} and every subcommand it has now. */
  static void apply(CommandLine root, Map<String, String> environment) {
    root.setUsageHelpWidth(width(environment.get("COLUMNS")));
    UsageMessageSpec usage = root.getCommandSpec().usageMessage();
    usage.exitCodeListHeading("%nExit codes:%n").exitCodeList(ExitCodes.table());
    addSection(root.getCommandSpec(), EXAMPLES, "Examples", examples(root.getCommandSpec().name()));
    for (CommandLine sub : root.getSubcommands().values()) {
      CommandSpec spec = sub.getCommandSpec();
      UsageMessageSpec subUsage = spec.usageMessage();
      // The inherited global options are listed once, in 'credstore --help'.
      subUsage.abbreviateSynopsis(true);
      subUsage.sectionMap().put(UsageMessageSpec.SECTION_KEY_OPTION_LIST,
          help -> help.optionListExcludingGroups(ownOptions(spec)));
      addSection(spec, EXAMPLES, "Examples", examples(spec.name()));
      addSection(spec, SEE_ALSO, "See also", List.of(
          "credstore --help             global options",
          "credstore help exit-codes    the exit codes"));
    }
  }

  static int width(String columns) {
    if (columns != null) {
      try {
        return Math.max(MIN_WIDTH, Math.min(MAX_WIDTH, Integer.parseInt(columns.strip())));
      } catch (NumberFormatException notANumber) {
        // As if unset: 80.
      }
    }
    return 80;
  }

  static List<String> examples(String command) {
    return EXAMPLE_LINES.getOrDefault(command, List.of());
  }

  private static List<OptionSpec> ownOptions(CommandSpec spec) {
    List<OptionSpec> own = new ArrayList<>();
    for (OptionSpec option : spec.options()) {
      if (!option.inherited() && !option.hidden()) {
        own.add(option);
      }
    }
    return own;
  }

  /** A section of lines printed as they are (never wrapped), before the exit codes. */
  private static void addSection(CommandSpec spec, String key, String heading,
      List<String> lines) {
    if (lines.isEmpty()) {
      return;
    }
    UsageMessageSpec usage = spec.usageMessage();
    List<String> keys = new ArrayList<>(usage.sectionKeys());
    if (!keys.contains(key)) {
      keys.add(keys.indexOf(UsageMessageSpec.SECTION_KEY_EXIT_CODE_LIST_HEADING), key);
      usage.sectionKeys(keys);
    }
    usage.sectionMap().put(key, (Help help) -> {
      StringBuilder text = new StringBuilder(String.format("%n%s:%n", heading));
      for (String line : lines) {
        text.append("  ").append(line).append(System.lineSeparator());
      }
      return text.toString();
    });
  }
}
