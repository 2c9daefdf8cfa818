package dev.credstore.cli.command;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.cli.migrate.HandBack;
import dev.credstore.cli.migrate.Places;
import dev.credstore.cli.migrate.PlaintextSource;
import dev.credstore.cli.migrate.Sources;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.process.ChildProcess;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.TokenResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "exec",
    description = {
        "Runs COMMAND with the secret of SERVICE in an environment variable (never in its "
            + "arguments), standard input, output and error inherited, and exits with COMMAND's "
            + "exit code (128 + N if signal N ended it): credstore exec k6 -- k6 cloud run "
            + "script.js.",
        "The variable is --env VAR, else the one the service's tool reads (k6: K6_CLOUD_TOKEN, "
            + "gh: GH_TOKEN, or GH_ENTERPRISE_TOKEN and GH_HOST for another host; npm: the "
            + "placeholder migrate wrote, e.g. NPM_TOKEN, ...). For a migrated credential, the "
            + "tool's other settings travel too (k6: K6_CLOUD_STACK_ID, K6_CLOUD_STACK_URL, "
            + "K6_CLOUD_PROJECT_ID); Appcircle, which reads no variable, gets a private copy of "
            + "its config (XDG_CONFIG_HOME, a 0700 directory under $XDG_RUNTIME_DIR) that is "
            + "removed when COMMAND ends. The secret is found as 'get' finds it: for the default "
            + "account a variable already set in the environment is passed through unchanged "
            + "(--no-env reads the store). CREDSTORE_PASSPHRASE is not passed on.",
        "Exit codes before COMMAND starts are credstore's (e.g. 3 not logged in); 127 if COMMAND "
            + "is not found, 126 if it cannot be executed. SIGTERM is passed on to COMMAND; "
            + "SIGINT and SIGHUP reach it from the terminal."})
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

  @Mixin AccountOption account;

  @Option(names = "--env", paramLabel = "VAR",
      description = "Variable for the secret (default: the service's own).")
  String env;

  @Mixin NoEnvOption noEnv;

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
    Map<String, String> environment = new HashMap<>(context().environment());
    HandBack privateConfig = null;
    Secret privateConfigSecret = null;
    Opened opened = null;
    try {
      for (String name : named) {
        CredentialId id = CredentialId.of(name, account.name);
        Optional<PlaintextSource> source = Sources.forService(known, name);
        // Checked before the store is opened: a bad --env, or a service with no variable at all.
        String variable = env != null || source.isEmpty()
            ? ChildProcess.variableFor(known, id, env) : null;
        // As 'get' finds it: the service's own variable for the default account, else the store
        // (opened once for all of them).
        Optional<String> override = noEnv.set ? Optional.empty() : resolver.overridingVariable(id);
        Secret secret;
        Map<String, String> attributes = Map.of();
        if (override.isPresent()) {
          secret = Secret.of(context().environment().get(override.get()));
        } else {
          if (opened == null) {
            opened = session.open(err);
          }
          Optional<Credential> stored = opened.store().get(id);
          if (stored.isEmpty()) {
            throw new CredentialNotFoundException("not logged in to " + Describe.id(id)
                + "; run: " + Describe.command("login", id));
          }
          try (Credential credential = stored.get()) {
            secret = credential.secret().copy();
            attributes = credential.metadata().attributes();
          }
        }
        // A token passed through from the environment is handed on as it is.
        Map<String, String> stored = attributes;
        Optional<HandBack> handBack = override.isPresent() ? Optional.empty()
            : source.flatMap(s -> s.handBack(id, stored));
        if (variable == null) {
          variable = handBack.map(HandBack::secretVariable)
              .orElseGet(() -> ChildProcess.variableFor(known, id, null));
        }
        if (secrets.containsKey(variable)) {
          secret.close();
          throw new UsageException("two services would set " + variable + "; name each once");
        }
        secrets.put(variable, secret);
        if (handBack.isPresent()) {
          environment.putAll(handBack.get().variables());
          if (handBack.get().needsPrivateConfig()) {
            if (privateConfig != null) {
              throw new UsageException(name + " and another service both need a private config"
                  + " copy; run them in separate credstore exec commands");
            }
            privateConfig = handBack.get();
            privateConfigSecret = secret;
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
      if (privateConfig == null) {
        return ChildProcess.exec(commandLine, environment, secrets);
      }
      Path directory = privateDirectory(new Places(context().environment()));
      try {
        environment.putAll(privateConfig.writePrivateConfig(directory, privateConfigSecret));
        return ChildProcess.exec(commandLine, environment, secrets);
      } catch (IOException e) {
        throw new StorageException("cannot write a private config in " + directory + ": "
            + e.getMessage(), e);
      } finally {
        removeQuietly(directory, err);
      }
    } finally {
      secrets.values().forEach(Secret::close);
      if (opened != null) {
        opened.close();
      }
    }
  }

  /** A fresh 0700 directory under $XDG_RUNTIME_DIR (a tmpfs of the user's), else the temp dir. */
  private static Path privateDirectory(Places places) throws StorageException {
    Path base = places.runtimeDir().filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
        .orElse(Path.of(System.getProperty("java.io.tmpdir")));
    try {
      return Files.createTempDirectory(base, "credstore-exec-",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (IOException e) {
      throw new StorageException("cannot create a private directory in " + base + ": "
          + e.getMessage(), e);
    }
  }

  /** Removes what the child's config copy left, deepest first; whatever the child did to it. */
  private static void removeQuietly(Path directory, PrintWriter err) {
    try (Stream<Path> walk = Files.walk(directory)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      err.println("credstore: could not remove the private config " + directory + ": "
          + e.getMessage() + "; remove it by hand");
      err.flush();
    }
  }
}
