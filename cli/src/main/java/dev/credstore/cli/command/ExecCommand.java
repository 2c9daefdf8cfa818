package dev.credstore.cli.command;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.process.ChildProcess;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.TokenResolver;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

  @Parameters(index = "0", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class,
      description = "The service, unless --service names them.")
  String service;

  @Option(names = "--service", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class,
      description = "Inject this service's secret too, in its own variable; repeatable. With it, "
          + "COMMAND follows -- directly.")
  List<String> services;

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
    List<String> named = services == null ? List.of(service) : services;
    List<String> commandLine = new ArrayList<>(command == null ? List.of() : command);
    if (services != null) {
      // With --service every positional argument is the command: SERVICE is its first word.
      commandLine.add(0, service);
      if (env != null && services.size() > 1) {
        throw new UsageException("--env names one variable; with several --service each secret "
            + "goes in its service's own variable");
      }
    }
    if (commandLine.isEmpty()) {
      throw new UsageException("name the command to run after --, e.g. credstore exec k6 -- k6 "
          + "cloud run script.js");
    }
    StoreSession session = session();
    KnownServices known = KnownServices.load(session.settings);
    TokenResolver resolver = new TokenResolver(known, context().environment());
    Map<String, Secret> secrets = new LinkedHashMap<>();
    Opened opened = null;
    try {
      for (String name : named) {
        CredentialId id = CredentialId.of(name, account);
        String variable = ChildProcess.variableFor(known, id, env);
        if (secrets.containsKey(variable)) {
          throw new UsageException("two services would set " + variable + "; name each once");
        }
        // As 'get' finds it: the service's own variable for the default account, else the store
        // (opened once for all of them).
        Optional<String> override = noEnv ? Optional.empty() : resolver.overridingVariable(id);
        if (override.isPresent()) {
          secrets.put(variable, Secret.of(context().environment().get(override.get())));
        } else {
          if (opened == null) {
            opened = session.open(err);
          }
          Optional<Credential> stored = opened.store.get(id);
          if (stored.isEmpty()) {
            throw new CredentialNotFoundException("not logged in to " + Describe.id(id)
                + "; run: " + Describe.command("login", id));
          }
          try (Credential credential = stored.get()) {
            secrets.put(variable, credential.secret().copy());
          }
        }
        if (global().verbose()) {
          err.println("credstore: running " + commandLine.get(0) + " with " + variable
              + " set from " + override.map(v -> "the environment (" + v + ")")
                  .orElse("the store"));
        }
      }
      if (opened != null) {
        opened.close();
        opened = null;
      }
      out().flush();
      err.flush();
      return ChildProcess.exec(commandLine, context().environment(), secrets);
    } finally {
      secrets.values().forEach(Secret::close);
      if (opened != null) {
        opened.close();
      }
    }
  }
}
