package dev.credstore.cli.command;

import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.StorageException;
import dev.credstore.cli.migrate.HandBack;
import dev.credstore.cli.migrate.Places;
import dev.credstore.cli.migrate.PlaintextSource;
import dev.credstore.cli.migrate.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
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
    Optional<PlaintextSource> source = Sources.forService(services, service);
    // Checked before the store is opened: a bad --env, or a service with no variable at all.
    String variable = env != null || source.isEmpty()
        ? ChildProcess.variableFor(services, id, env) : null;
    ResolvedToken found = session.resolveToken(services, id, !noEnv, err);
    out().flush();
    err.flush();
    try (ResolvedToken token = found) {
      Map<String, String> attributes = token.metadata().map(CredentialMetadata::attributes)
          .orElse(Map.of());
      Optional<HandBack> handBack = token.environmentVariable().isPresent() ? Optional.empty()
          : source.flatMap(s -> s.handBack(id, attributes));
      if (variable == null) {
        variable = handBack.map(HandBack::secretVariable)
            .orElseGet(() -> ChildProcess.variableFor(services, id, null));
      }
      Map<String, String> environment = new HashMap<>(context().environment());
      handBack.ifPresent(h -> environment.putAll(h.variables()));
      if (global().verbose()) {
        err.println("credstore: running " + command.get(0) + " with " + variable + " set from "
            + token.environmentVariable().map(v -> "the environment (" + v + ")")
                .orElse("the store"));
        err.flush();
      }
      if (handBack.isEmpty() || !handBack.get().needsPrivateConfig()) {
        return ChildProcess.exec(command, environment, variable, token.secret());
      }
      Path directory = privateDirectory(new Places(context().environment()));
      try {
        environment.putAll(handBack.get().writePrivateConfig(directory, token.secret()));
        return ChildProcess.exec(command, environment, variable, token.secret());
      } catch (IOException e) {
        throw new StorageException("cannot write " + service + "'s private config in "
            + directory + ": " + e.getMessage(), e);
      } finally {
        removeQuietly(directory, err);
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
