package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import dev.credstore.cli.migrate.ConfigDiscovery;
import dev.credstore.cli.migrate.ConfigRewriter;
import dev.credstore.cli.migrate.MigrationState;
import dev.credstore.cli.migrate.Migrator.Outcome;
import dev.credstore.cli.migrate.Migrator.Status;
import dev.credstore.cli.migrate.Migrator.Target;
import dev.credstore.cli.migrate.Migrator;
import dev.credstore.cli.migrate.PlaintextConfig;
import dev.credstore.cli.migrate.StoreAccess;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ServiceDefinition;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "migrate",
    description = {
        "Moves plaintext tokens out of tools' JSON config files into the store.",
        "Without --from, looks in the config files of the known services (k6: "
            + "$XDG_CONFIG_HOME/k6/config.json, ~/.config/loadimpact/k6/config.json, "
            + "~/Library/Application Support/…) for the token at the service's JSON pointer. "
            + "With --from PATH --service NAME [--pointer /json/pointer], migrates any JSON file.",
        "For each token: store it, read it back and compare, and only then rewrite the file "
            + "without the token (atomically, same permissions and owner, every other byte kept). "
            + "If any step fails the file is left exactly as it was.",
        "A different token already stored for the service and account is a conflict (exit 7) "
            + "unless --force; the same token just gets the file scrubbed. Files already migrated "
            + "are recorded in $XDG_STATE_HOME/credstore/migrations.json and left alone.",
        "Tokens seen in environment variables (K6_CLOUD_TOKEN, …) are reported, not migrated.",
        "Exits 0 only if every token found was migrated or already migrated; otherwise with the "
            + "exit code of the first file that failed, after processing all of them."},
    mixinStandardHelpOptions = true)
final class MigrateCommand extends BaseCommand {

  @Option(names = "--from", paramLabel = "PATH",
      description = "JSON config file to migrate (repeatable); needs --service.")
  List<Path> from = new ArrayList<>();

  @Option(names = "--service", paramLabel = "NAME",
      description = "Service the token is for; without --from, only that service's known files.")
  String service;

  @Option(names = "--pointer", paramLabel = "/JSON/POINTER",
      description = "With --from: JSON pointer (RFC 6901) of the token, e.g. /auth/token "
          + "(default: the service's known pointer).")
  String pointer;

  @Option(names = "--account", paramLabel = "NAME", description = "Account (default: default).")
  String account;

  @Option(names = "--dry-run",
      description = "Print what would move (paths, services, accounts), change nothing.")
  boolean dryRun;

  @Option(names = "--keep-plaintext",
      description = "Store the token but leave the config file as it is.")
  boolean keepPlaintext;

  @Option(names = "--force",
      description = "Replace a different stored token (kept as its previous secret).")
  boolean force;

  @Option(names = "--json", description = "Print a machine-readable report.")
  boolean json;

  /** The config rewrite step; tests replace it to fail after the store write. */
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
    List<Path> lookedIn = new ArrayList<>();
    List<Target> targets = from.isEmpty() ? discover(services, environment, lookedIn)
        : explicit(services);
    MigrationState state = MigrationState.load(
        MigrationState.defaultFile(environment));

    List<Outcome> outcomes = new ArrayList<>();
    Optional<StorageException> stateProblem;
    try (LazyStore store = new LazyStore(session, err)) {
      Migrator migrator = new Migrator(store, rewriter, state, new ExitCodes(global()::verbose),
          context().clock(), dryRun, keepPlaintext, force);
      for (Target target : targets) {
        outcomes.add(migrator.migrate(target));
      }
      stateProblem = migrator.stateProblem();
    }
    Map<String, String> variables = ConfigDiscovery.environmentTokens(services, environment);

    int exitCode = outcomes.stream().filter(o -> o.status().failed()).map(Outcome::exitCode)
        .findFirst().orElse(stateProblem.isPresent() ? ExitCodes.STORAGE : ExitCodes.OK);
    String home = environment.get("HOME");
    if (json) {
      writeJson(out, outcomes, variables, state.file(), exitCode);
    } else {
      writeText(out, outcomes, variables, lookedIn, services, home);
    }
    out.flush();
    List<Outcome> failed = outcomes.stream().filter(o -> o.status().failed()).toList();
    if (!failed.isEmpty()) {
      Outcome first = failed.get(0);
      err.println("credstore: " + failed.size() + " of " + outcomes.size() + " config "
          + (outcomes.size() == 1 ? "file" : "files") + (dryRun ? " cannot be" : " not")
          + " migrated; first: " + Formats.tilde(first.target().path().toString(), home) + ": "
          + first.message());
    } else if (stateProblem.isPresent()) {
      err.println("credstore: " + stateProblem.get().getMessage());
    }
    err.flush();
    return exitCode;
  }

  /** Every existing known config file (a link counts: it is reported, not followed). */
  private List<Target> discover(KnownServices services, Map<String, String> environment,
      List<Path> lookedIn) {
    List<ServiceDefinition> definitions = new ArrayList<>();
    if (service != null) {
      ServiceDefinition definition = services.find(service)
          .filter(d -> d.tokenPointer() != null && !d.configFiles().isEmpty())
          .orElseThrow(() -> new UsageException("credstore knows no config file of service '"
              + service + "'; name it with --from PATH --service " + service
              + " --pointer /json/pointer"));
      definitions.add(definition);
    } else {
      definitions.addAll(ConfigDiscovery.migratable(services));
    }
    return ConfigDiscovery.existingConfigs(definitions, account, environment, lookedIn);
  }

  private List<Target> explicit(KnownServices services) {
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
    CredentialId id = CredentialId.of(service, account);
    Set<Path> seen = new LinkedHashSet<>();
    List<Target> targets = new ArrayList<>();
    for (Path path : from) {
      Path absolute = path.toAbsolutePath().normalize();
      if (seen.add(absolute)) {
        targets.add(new Target(absolute, tokenPointer, metadata, id));
      }
    }
    return targets;
  }

  private void writeText(PrintWriter out, List<Outcome> outcomes, Map<String, String> variables,
      List<Path> lookedIn, KnownServices services, String home) {
    if (outcomes.isEmpty()) {
      if (from.isEmpty()) {
        out.println("no known plaintext config files found; looked in:");
        lookedIn.forEach(p -> out.println("  " + Formats.tilde(p.toString(), home)));
      }
    }
    for (Outcome outcome : outcomes) {
      out.println(String.format("%-16s %s  %s: %s", outcome.status().label,
          Formats.tilde(outcome.target().path().toString(), home),
          Describe.id(outcome.target().id()), outcome.message()));
    }
    variables.forEach((variable, name) -> out.println(String.format("%-16s %s", "environment",
        variable + " is set (service " + name + "): a plaintext token in the environment, not "
            + "migrated; remove it where it is set (shell profile, CI settings) once the store "
            + "holds the token. While set, it overrides the store for credstore get.")));
    if (dryRun) {
      return;
    }
    Set<CredentialId> moved = new LinkedHashSet<>();
    outcomes.stream()
        .filter(o -> o.status() == Status.MIGRATED || o.status() == Status.ALREADY_MIGRATED)
        .forEach(o -> moved.add(o.target().id()));
    for (CredentialId id : moved) {
      out.println();
      out.println(Describe.id(id) + " now gets its token from the store, e.g.:");
      out.println("  " + Describe.command("exec", id) + " -- " + id.service() + " …");
      Optional<String> variable = services.find(id.service())
          .flatMap(d -> d.environmentVariables().stream().findFirst());
      out.println("  " + variable.orElse("TOKEN") + "=$(" + Describe.command("get", id) + ") "
          + id.service() + " …");
    }
  }

  private void writeJson(PrintWriter out, List<Outcome> outcomes, Map<String, String> variables,
      Path stateFile, int exitCode) throws IOException {
    try (JsonGenerator generator = Formats.json(out, global().prettyJson(context()))) {
      generator.writeStartObject();
      generator.writeBooleanField("dryRun", dryRun);
      generator.writeArrayFieldStart("files");
      for (Outcome outcome : outcomes) {
        generator.writeStartObject();
        generator.writeStringField("path", outcome.target().path().toString());
        generator.writeStringField("service", outcome.target().id().service());
        generator.writeStringField("account", outcome.target().id().account());
        generator.writeStringField("pointer", outcome.target().pointer());
        generator.writeStringField("status", outcome.status().label);
        generator.writeStringField("message", outcome.message());
        generator.writeArrayFieldStart("attributes");
        for (String attribute : outcome.attributes()) {
          generator.writeString(attribute);
        }
        generator.writeEndArray();
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
      return opened.store;
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
