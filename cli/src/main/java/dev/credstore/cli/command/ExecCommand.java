package dev.credstore.cli.command;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.process.ChildProcess;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ResolvedToken;
import dev.credstore.runtime.TokenResolver;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "exec",
    description = {
        "Runs COMMAND with the secret of SERVICE in an environment variable (never in its "
            + "arguments), standard input, output and error inherited, and exits with COMMAND's "
            + "exit code (128 + N if signal N ended it).",
        "The variable is --env VAR, else the service's own (k6: K6_CLOUD_TOKEN, ...). The secret "
            + "is found as 'get' finds it: for the default account a variable already set in the "
            + "environment is passed through unchanged (--no-env reads the store). "
            + "CREDSTORE_PASSPHRASE is not passed on.",
        "Exit codes before COMMAND starts are credstore's (e.g. 3 not logged in); 127 if COMMAND "
            + "is not found, 126 if it cannot be executed. SIGTERM is passed on to COMMAND; "
            + "SIGINT and SIGHUP reach it from the terminal."},
    mixinStandardHelpOptions = true)
final class ExecCommand implements Callable<Integer> {

  @ParentCommand Credstore root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class)
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
    PrintWriter err = spec.commandLine().getErr();
    if (command == null || command.isEmpty()) {
      throw new UsageException("name the command to run after --, e.g. credstore exec k6 -- k6 "
          + "cloud run script.js");
    }
    CredentialId id = CredentialId.of(service, account);
    StoreSession session = StoreSession.load(root.context, root.global);
    KnownServices services = KnownServices.load(session.settings);
    String variable = ChildProcess.variableFor(services, id, env);
    TokenResolver resolver = new TokenResolver(services, root.context.environment());
    Optional<ResolvedToken> found = resolver.resolve(id, !noEnv, () -> session.open(err).store);
    if (found.isEmpty()) {
      throw new CredentialNotFoundException("not logged in to " + Describe.id(id) + "; run: "
          + Describe.command("login", id));
    }
    spec.commandLine().getOut().flush();
    err.flush();
    try (ResolvedToken token = found.get()) {
      if (root.global.verbose) {
        err.println("credstore: running " + command.get(0) + " with " + variable + " set from "
            + token.environmentVariable().map(v -> "the environment (" + v + ")").orElse("the store"));
        err.flush();
      }
      return ChildProcess.exec(command, root.context.environment(), variable, token.secret());
    }
  }
}
