package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import dev.credstore.cli.migrate.ConfigDiscovery;
import dev.credstore.cli.migrate.ConfigRewriter;
import dev.credstore.cli.migrate.MigrationState;
import dev.credstore.cli.migrate.Migrator;
import dev.credstore.cli.migrate.Migrator.Outcome;
import dev.credstore.cli.migrate.Migrator.Status;
import dev.credstore.cli.migrate.PlaintextConfig;
import dev.credstore.cli.migrate.PlaintextSource;
import dev.credstore.cli.migrate.Places;
import dev.credstore.cli.migrate.Sources;
import dev.credstore.cli.migrate.StoreAccess;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.runtime.KnownServices;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import dev.credstore.runtime.ServiceDefinition;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "migrate",
    description = {
        "Moves plaintext tokens out of the files of the tools credstore knows into the store, so "
            + "that each tool keeps working: k6 (config.json, K6_CONFIG), Appcircle (every "
            + "environment of @appcircle/cli-nodejs/config.json), Platform.sh and Upsun (session "
            + "api-token files, api.token in config.yaml), Docker (config.json auths, then "
            + "credsStore credstore), git (~/.git-credentials and $XDG_CONFIG_HOME/git/credentials, "
            + "then credential.helper), gh (hosts.yml) and npm (~/.npmrc _authToken, which becomes "
            + "a ${NPM_TOKEN?} placeholder). With --from PATH --service NAME [--pointer "
            + "/json/pointer], migrates any JSON file.",
        "For each file: store every token, read each back and compare, and only then rewrite the "
            + "file without them (atomically, same owner, same permissions unless the tool's own "
            + "default was world-readable, every other byte kept). If any step fails the file is "
            + "left exactly as it was. Two migrate runs at once take turns.",
        "A different token already stored for the service and account is a conflict (exit 7) "
            + "unless --force; the same token just gets the file scrubbed. Files already migrated "
            + "are recorded in $XDG_STATE_HOME/credstore/migrations.json and left alone.",
        "--dry-run reads the store to predict conflicts, changes nothing, and also reports the "
            + "plaintext credstore does not move: ~/.netrc and ~/.pypirc passwords, "
            + "~/.aws/credentials secret keys, unencrypted Maven server passwords, Platform.sh "
            + "OAuth sessions, Docker registry tokens, npm _password lines.",
        "Tokens seen in environment variables (K6_CLOUD_TOKEN, …) are reported, not migrated. "
            + "Rotate migrated tokens: their old bytes may remain in disk blocks and backups.",
        "Exits 0 only if every token found was migrated or already migrated; otherwise with the "
            + "exit code of the first file that failed, after processing all of them."})
final class MigrateCommand extends BaseCommand {

  /** How long a run waits for another to finish before it gives up (exit 8). */
  static final Duration LOCK_WAIT = Duration.ofMinutes(10);

  static final String ROTATE_ADVICE = "Rotate the tokens migrated: the plaintext copies may "
      + "remain in freed disk blocks, backups and snapshots.";

  @Option(names = "--from", paramLabel = "PATH",
      description = "JSON config file to migrate (repeatable); needs --service.")
  List<Path> from = new ArrayList<>();

  @Option(names = "--service", paramLabel = "NAME",
      description = "Service the token is for; without --from, only that tool's known files "
          + "(k6, appcircle, platformsh, upsun, docker, git, gh, npm).")
  String service;

  @Option(names = "--pointer", paramLabel = "/JSON/POINTER",
      description = "With --from: JSON pointer (RFC 6901) of the token, e.g. /auth/token "
          + "(default: the service's known pointer).")
  String pointer;

  @Option(names = "--account", paramLabel = "NAME",
      description = "Account for JSON-pointer services (k6, --from; default: default). Other "
          + "tools name their own accounts (environment, registry, user, host).")
  String account;

  @Option(names = "--dry-run",
      description = "Print what would move (paths, services, accounts) and what is only "
          + "reported; change nothing.")
  boolean dryRun;

  @Option(names = "--keep-plaintext",
      description = "Store the tokens but leave the files as they are.")
  boolean keepPlaintext;

  @Option(names = "--force",
      description = "Replace a different stored token (kept as its previous secret).")
  boolean force;

  @Option(names = "--json", description = "Print a machine-readable report.")
  boolean json;

  /** The file rewrite step; tests replace it to fail after the store write. */
  ConfigRewriter rewriter = ConfigRewriter.ATOMIC;

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    PrintWriter out = out();
    PrintWriter err = err();
    if (pointer != null && from.isEmpty()) {
      throw new UsageException("--pointer goes with --from PATH");
    }
    if (!from.isEmpty() && service == null) {
      throw new UsageException("--from needs --service NAME: the service the token is for");
    }
    if (pointer != null) {
      PlaintextConfig.pointer(pointer);
    }

    Map<String, String> environment = context().environment();
    StoreSession session = session();
    KnownServices services = KnownServices.load(session.settings);
    Places places = new Places(environment);
    List<PlaintextSource> sources = from.isEmpty() ? known(services) : List.of(explicit(services));
    Path stateFile = MigrationState.defaultFile(environment);

    List<Path> lookedIn = new ArrayList<>();
    List<Outcome> outcomes = new ArrayList<>();
    Migrator.Options options = new Migrator.Options(dryRun, keepPlaintext, force);
    ExitCodes codes = new ExitCodes(global()::verbose);
    PrivateLock.Action<Optional<StorageException>> run = () -> {
      try (LazyStore store = new LazyStore(session, err)) {
        // Loaded under the lock: a run that waited sees what the one before it recorded.
        MigrationState state = MigrationState.load(stateFile);
        Migrator migrator = new Migrator(store, rewriter, state, codes::getExitCode,
            context().clock(), places, options);
        Set<Path> seen = new LinkedHashSet<>();
        for (PlaintextSource source : sources) {
          for (Path file : source.files(places)) {
            Path absolute = file.toAbsolutePath().normalize();
            if (!seen.add(absolute)) {
              continue;
            }
            lookedIn.add(absolute);
            if (from.isEmpty() && !Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
              continue;
            }
            outcomes.addAll(migrator.migrate(source, absolute));
          }
        }
        return migrator.stateProblem();
      }
    };
    // A dry run writes nothing, not even the lock; a real run takes turns with any other.
    Optional<StorageException> stateProblem;
    if (dryRun) {
      stateProblem = run.run();
    } else {
      PrivateFiles.ensureDirectory(stateFile.getParent());
      stateProblem = PrivateLock.hold(MigrationState.lockFile(stateFile), LOCK_WAIT, run);
    }
    Map<String, String> variables = ConfigDiscovery.environmentTokens(services, environment);

    int exitCode = outcomes.stream().filter(o -> o.status().failed()).map(Outcome::exitCode)
        .findFirst().orElse(stateProblem.isPresent() ? ExitCodes.STORAGE : ExitCodes.OK);
    String shownHome = environment.get("HOME");
    if (json) {
      writeJson(out, outcomes, variables, stateFile, exitCode);
    } else {
      writeText(out, outcomes, variables, lookedIn, services, shownHome);
    }
    out.flush();
    Set<Path> files = new LinkedHashSet<>();
    Set<Path> failedFiles = new LinkedHashSet<>();
    Outcome first = null;
    for (Outcome outcome : outcomes) {
      files.add(outcome.path());
      if (outcome.status().failed()) {
        failedFiles.add(outcome.path());
        first = first == null ? outcome : first;
      }
    }
    if (first != null) {
      err.println("credstore: " + failedFiles.size() + " of " + files.size() + " config "
          + (files.size() == 1 ? "file" : "files") + (dryRun ? " cannot be" : " not")
          + " migrated; first: " + Formats.tilde(first.path().toString(), shownHome) + ": "
          + first.message());
    } else if (stateProblem.isPresent()) {
      err.println("credstore: " + stateProblem.get().getMessage());
    }
    err.flush();
    return exitCode;
  }

  /** Every known tool, or the one --service names; reported-only kinds in a dry run. */
  private List<PlaintextSource> known(KnownServices services) {
    if (service != null) {
      PlaintextSource source = Sources.find(services, service).filter(s -> !s.reportOnly())
          .orElseThrow(() -> new UsageException("credstore knows no config file of service '"
              + service + "'; name it with --from PATH --service " + service
              + " --pointer /json/pointer"));
      return List.of(source);
    }
    List<PlaintextSource> sources = new ArrayList<>(Sources.moving(services, account));
    if (dryRun) {
      sources.addAll(Sources.reporting());
    }
    return sources;
  }

  private PlaintextSource explicit(KnownServices services) {
    Optional<ServiceDefinition> definition = services.find(service);
    String tokenPointer = pointer;
    if (tokenPointer == null) {
      tokenPointer = definition.map(ServiceDefinition::tokenPointer).orElseThrow(() ->
          new UsageException("credstore knows no token pointer for service '" + service
              + "'; give one with --pointer /json/pointer"));
    }
    // The registry's metadata sits beside the registry's token pointer; elsewhere it means nothing.
    String chosen = tokenPointer;
    Map<String, String> metadata = definition
        .filter(d -> chosen.equals(d.tokenPointer()))
        .map(ServiceDefinition::metadataPointers).orElse(Map.of());
    List<Path> files = new ArrayList<>();
    for (Path path : from) {
      files.add(path.toAbsolutePath().normalize());
    }
    return Sources.explicit(files, tokenPointer, metadata, CredentialId.of(service, account));
  }

  private static String subject(Outcome outcome) {
    return outcome.id() != null ? Describe.id(outcome.id()) : outcome.tool();
  }

  private void writeText(PrintWriter out, List<Outcome> outcomes, Map<String, String> variables,
      List<Path> lookedIn, KnownServices services, String home) {
    if (outcomes.isEmpty() && from.isEmpty()) {
      out.println("no known plaintext config files found; looked in:");
      lookedIn.forEach(p -> out.println("  " + Formats.tilde(p.toString(), home)));
    }
    Set<Path> shownModes = new LinkedHashSet<>();
    for (Outcome outcome : outcomes) {
      String where = outcome.locator().isEmpty() || outcome.status() == Status.NO_TOKEN
          ? "" : " " + outcome.locator();
      if (outcome.status() == Status.REPORTED) {
        out.println(String.format("%-16s %s  %s:%s: %s", outcome.status().label,
            Formats.tilde(outcome.path().toString(), home), outcome.tool(), where,
            outcome.message()));
        continue;
      }
      out.println(String.format("%-16s %s  %s: %s", outcome.status().label,
          Formats.tilde(outcome.path().toString(), home), subject(outcome), outcome.message()));
      if (outcome.newMode() != null && shownModes.add(outcome.path())) {
        out.println(String.format("%-16s %s  is now mode %s: the tool once created it readable "
            + "by others", "", Formats.tilde(outcome.path().toString(), home),
            outcome.newMode()));
      }
    }
    variables.forEach((variable, name) -> out.println(String.format("%-16s %s", "environment",
        variable + " is set (service " + name + "): a plaintext token in the environment, not "
            + "migrated; remove it where it is set (shell profile, CI settings) once the store "
            + "holds the token. While set, it overrides the store for credstore get.")));
    if (dryRun) {
      return;
    }
    Set<CredentialId> moved = new LinkedHashSet<>();
    boolean migratedNow = false;
    for (Outcome outcome : outcomes) {
      if (outcome.status() == Status.MIGRATED || outcome.status() == Status.ALREADY_MIGRATED) {
        moved.add(outcome.id());
      }
      migratedNow |= outcome.status() == Status.MIGRATED;
    }
    for (CredentialId id : moved) {
      String service = id.service();
      if (service.startsWith("docker:") || service.startsWith("git:")) {
        continue; // their tools ask credstore's helpers, as the lines above say
      }
      out.println();
      out.println(Describe.id(id) + " now gets its token from the store, e.g.:");
      out.println("  " + Describe.command("exec", id) + " -- " + tool(service) + " …");
      Optional<String> variable = services.find(service)
          .flatMap(d -> d.environmentVariables().stream().findFirst());
      out.println("  " + variable.orElse("TOKEN") + "=$(" + Describe.command("get", id) + ") "
          + tool(service) + " …");
    }
    if (migratedNow) {
      out.println();
      out.println(ROTATE_ADVICE);
    }
  }

  /** The command a service's tool is run as. */
  private static String tool(String service) {
    return service.equals("platformsh") ? "platform" : service;
  }

  private void writeJson(PrintWriter out, List<Outcome> outcomes, Map<String, String> variables,
      Path stateFile, int exitCode) throws IOException {
    try (JsonGenerator generator = Formats.json(out, global().prettyJson(context()))) {
      generator.writeStartObject();
      generator.writeBooleanField("dryRun", dryRun);
      generator.writeArrayFieldStart("files");
      for (Outcome outcome : outcomes) {
        generator.writeStartObject();
        generator.writeStringField("path", outcome.path().toString());
        generator.writeStringField("tool", outcome.tool());
        if (outcome.id() != null) {
          generator.writeStringField("service", outcome.id().service());
          generator.writeStringField("account", outcome.id().account());
        }
        generator.writeStringField("pointer", outcome.locator());
        generator.writeStringField("status", outcome.status().label);
        generator.writeStringField("message", outcome.message());
        Formats.stringArray(generator, "attributes", outcome.attributes());
        if (outcome.newMode() != null) {
          generator.writeStringField("mode", outcome.newMode());
        }
        generator.writeNumberField("exitCode", outcome.exitCode());
        generator.writeEndObject();
      }
      generator.writeEndArray();
      generator.writeArrayFieldStart("environment");
      for (Map.Entry<String, String> variable : variables.entrySet()) {
        generator.writeStartObject();
        generator.writeStringField("variable", variable.getKey());
        generator.writeStringField("service", variable.getValue());
        generator.writeEndObject();
      }
      generator.writeEndArray();
      if (outcomes.stream().anyMatch(o -> o.status() == Status.MIGRATED)) {
        generator.writeStringField("advice", ROTATE_ADVICE);
      }
      generator.writeStringField("stateFile", stateFile.toString());
      generator.writeNumberField("exitCode", exitCode);
      generator.writeEndObject();
    }
    out.write('\n');
  }

  /** Opens the store the first time a token needs it; remembers a failure to open. */
  private static final class LazyStore implements StoreAccess, AutoCloseable {
    private final StoreSession session;
    private final PrintWriter err;
    private Opened opened;
    private CredentialStoreException failure;

    LazyStore(StoreSession session, PrintWriter err) {
      this.session = session;
      this.err = err;
    }

    @Override
    public CredentialStore store() throws CredentialStoreException {
      if (failure != null) {
        throw failure;
      }
      if (opened == null) {
        try {
          opened = session.open(err);
        } catch (CredentialStoreException e) {
          failure = e;
          throw e;
        }
      }
      return opened.store();
    }

    @Override
    public String where() {
      return opened == null ? "the store" : opened.where();
    }

    @Override
    public void close() {
      if (opened != null) {
        opened.close();
      }
    }
  }
}
