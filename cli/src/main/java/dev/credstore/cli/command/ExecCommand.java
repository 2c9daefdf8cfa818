package dev.credstore.cli.command;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.process.ChildProcess;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ResolvedToken;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exec",
    description = {
        "Runs COMMAND with the secret of SERVICE in an environment variable (never in its "
            + "arguments), standard input, output and error inherited, and exits with COMMAND's "
            + "exit code (128 + N if signal N ended it): credstore exec k6 -- k6 cloud run "
            + "script.js.",
        "The variable is --env VAR, else the service's own (k6: K6_CLOUD_TOKEN, ...). The secret "
            + "is found as 'get' finds it: for the default account a variable already set in the "
            + "environment is passed through unchanged (--no-env reads the store). "
            + "CREDSTORE_PASSPHRASE is not passed on.",
        "Exit codes before COMMAND starts are credstore's (e.g. 3 not logged in); 127 if COMMAND "
            + "is not found, 126 if it cannot be executed. SIGTERM is passed on to COMMAND; "
            + "SIGINT and SIGHUP reach it from the terminal."},
    mixinStandardHelpOptions = true)
final class ExecCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "SERVICE")
  String service;

  @Parameters(index = "1..*", paramLabel = "COMMAND",
      description = "The command and its arguments, after --.")
  List<String> command;

  @Option(names = "--account", paramLabel = "NAME", description = "Account (default: default).")
  String account;

  @Option(names = "--env", paramLabel = "VAR",
      description = "Variable for the secret (default: the service's own).")
  String env;

  @Option(names = "--no-env", description = "Ignore the service's variable if set; read the store.")
  boolean noEnv;

  @Override
  public Integer call() throws CredentialStoreException, InterruptedException {
    PrintWriter err = err();
    if (command == null || command.isEmpty()) {
      throw new UsageException("name the command to run after --, e.g. credstore exec k6 -- k6 "
          + "cloud run script.js");
    }
    CredentialId id = CredentialId.of(service, account);
    StoreSession session = session();
    KnownServices services = KnownServices.load(session.settings);
    String variable = ChildProcess.variableFor(services, id, env);
    ResolvedToken found = session.resolveToken(services, id, !noEnv, err);
    out().flush();
    err.flush();
    try (ResolvedToken token = found) {
      if (global().verbose()) {
        err.println("credstore: running " + command.get(0) + " with " + variable + " set from "
            + token.environmentVariable().map(v -> "the environment (" + v + ")").orElse("the store"));
        err.flush();
      }
      return ChildProcess.exec(command, context().environment(), variable, token.secret());
    }
  }
}
