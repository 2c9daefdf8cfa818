package dev.credstore.cli.command;

import dev.credstore.cli.output.ExitCodes;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Help.ColorScheme;
import picocli.CommandLine.IHelpCommandInitializable2;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.UnmatchedArgumentException;

/** {@code credstore help [COMMAND]}, and {@code credstore help exit-codes}. */
@Command(name = "help", helpCommand = true,
    description = "Shows the help of credstore or of COMMAND; 'exit-codes' lists the exit codes.")
final class HelpCommand implements Callable<Integer>, IHelpCommandInitializable2 {

  static final String EXIT_CODES = "exit-codes";

  @Parameters(arity = "0..1", paramLabel = "COMMAND|exit-codes")
  String topic;

  private CommandLine self;
  private PrintWriter out;

  @Override
  public void init(CommandLine helpCommandLine, ColorScheme colorScheme, PrintWriter out,
      PrintWriter err) {
    this.self = helpCommandLine;
    this.out = out;
  }

  @Override
  public Integer call() {
    CommandLine root = self.getParent();
    if (topic == null) {
      root.usage(out);
    } else if (topic.equals(EXIT_CODES)) {
      out.println("Exit codes of credstore:");
      for (Map.Entry<String, String> row : ExitCodes.table().entrySet()) {
        out.printf("  %3s  %s%n", row.getKey(), row.getValue());
      }
    } else {
      CommandLine command = root.getSubcommands().get(topic);
      if (command == null) {
        // The same message and suggestion as a mistyped command.
        throw new UnmatchedArgumentException(root, java.util.List.of(topic));
      }
      command.usage(out);
    }
    out.flush();
    return ExitCodes.OK;
  }
}
