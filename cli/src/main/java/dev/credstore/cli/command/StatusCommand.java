package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.StoreDescription;
import dev.credstore.api.UnlockStatus;
import dev.credstore.cli.output.Durations;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Fingerprint;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.BackendStatus;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.SelectedBackend;
import dev.credstore.runtime.ServiceDefinition;
import dev.credstore.runtime.StoreSettings;
import dev.credstore.runtime.TokenResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status",
    description = {
        "Shows the backend in use and why it was chosen, where it keeps data, every backend "
            + "found and whether it is available, stored credentials (never secrets) and "
            + "environment variables that override the store.",
        "If the store cannot be opened, prints what it can and exits with that error's code.",
        "With --max-age DURATION (90d, 12h, 30m, P90D) it only lists the credentials whose "
            + "secret was created or last rotated longer ago, and exits 10 if there is any."})
final class StatusCommand extends BaseCommand {

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Option(names = "--max-age", paramLabel = "DURATION",
      description = "Rotation policy check: list credentials older than this; exit 10 if any.")
  String maxAge;

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    StoreSession session = session();
    if (maxAge != null) {
      return checkMaxAge(session, Durations.parse(maxAge, "--max-age"), context().clock().instant(),
          out(), err());
    }
    KnownServices services = KnownServices.load(session.settings);
    Report report = new Report();
    report.survey = session.backends.survey(session.options);
    report.loadProblems = session.backends.loadProblems();
    TokenResolver resolver = new TokenResolver(services, context().environment());
    for (ServiceDefinition definition : services.all()) {
      resolver.overridingVariable(CredentialId.of(definition.name()))
          .ifPresent(variable -> report.overrides.put(definition.name(), variable));
    }
    try {
      report.selected = session.select();
      try (CredentialStore store = report.selected.open(session.options)) {
        report.description = store.describe();
        if (store instanceof PassphraseProtectedStore protectedStore) {
          report.unlock = protectedStore.unlockStatus(); // before list: it never prompts
        }
        report.credentials = store.list();
        // Reading each secret is what status adds to list: a label to tell tokens apart by.
        for (CredentialMetadata metadata : report.credentials) {
          Optional<Credential> credential = store.get(metadata.id());
          if (credential.isPresent()) {
            try (Credential stored = credential.get()) {
              report.fingerprints.put(metadata.id(), Fingerprint.of(stored.secret()));
            }
          }
        }
      }
    } catch (CredentialStoreException e) {
      report.problem = e;
    }
    report.otherStores = session.backends.otherStores(
        report.selected == null ? "" : report.selected.id(), session.options);
    Instant now = context().clock().instant();
    PrintWriter out = out();
    if (json) {
      writeJson(out, session.settings, report, now);
    } else {
      writeText(out, session.settings, report, now);
    }
    out.flush();
    if (report.problem != null) {
      throw report.problem;
    }
    return ExitCodes.OK;
  }

  /**
   * {@code --max-age}: the credentials whose secret was set (created or last rotated) longer ago
   * than allowed, and exit {@value ExitCodes#POLICY} if there is any, for cron jobs and CI steps.
   */
  private int checkMaxAge(StoreSession session, Duration maxAge, Instant now, PrintWriter out,
      PrintWriter err) throws CredentialStoreException, IOException {
    List<CredentialMetadata> all;
    String where;
    try (Opened opened = session.open(err)) {
      all = opened.store().list();
      where = opened.where();
    }
    List<CredentialMetadata> overdue = all.stream()
        .filter(metadata -> Duration.between(metadata.secretSetAt(), now).compareTo(maxAge) > 0)
        .toList();
    if (json) {
      try (JsonGenerator generator = Formats.json(out, global().prettyJson(context()))) {
        generator.writeStartObject();
        generator.writeNumberField("maxAgeSeconds", maxAge.getSeconds());
        generator.writeNumberField("checked", all.size());
        generator.writeArrayFieldStart("overdue");
        for (CredentialMetadata metadata : overdue) {
          generator.writeStartObject();
          Formats.metadataFields(generator, metadata, now);
          generator.writeEndObject();
        }
        generator.writeEndArray();
        generator.writeEndObject();
      }
      out.write('\n');
    } else if (overdue.isEmpty()) {
      out.println("no credential is older than " + Durations.format(maxAge) + " (" + all.size()
          + " checked in " + where + ")");
    } else {
      out.println(overdue.size() + " of " + all.size() + (all.size() == 1 ? " credential is" :
          " credentials are") + " older than " + Durations.format(maxAge) + "; rotate them with "
          + "'credstore rotate SERVICE':");
      out.print(Formats.credentialTable(overdue, now));
    }
    out.flush();
    return overdue.isEmpty() ? ExitCodes.OK : ExitCodes.POLICY;
  }

  private static final class Report {
    List<BackendStatus> survey;
    List<String> loadProblems;
    SelectedBackend selected;
    StoreDescription description;
    UnlockStatus unlock;
    List<CredentialMetadata> credentials;
    final Map<CredentialId, String> fingerprints = new HashMap<>();
    List<String> otherStores = List.of();
    final Map<String, String> overrides = new LinkedHashMap<>();
    CredentialStoreException problem;
  }

  private void writeText(PrintWriter out, StoreSettings settings, Report report, Instant now) {
    String home = settings.environment().get("HOME");
    if (report.selected != null) {
      out.println("backend:     " + report.selected.id() + " (" + report.selected.reason() + ")");
      if (report.description != null) {
        out.println("store:       " + report.description.summary() + " at "
            + Formats.tilde(report.description.location(), home));
      }
    } else {
      out.println("backend:     none selected");
    }
    if (report.unlock != null) {
      out.println("unlock:      " + switch (report.unlock.state()) {
        case UNLOCKED -> "unlocked until " + report.unlock.until() + " ("
            + left(Duration.between(now, report.unlock.until())) + " left)";
        case LOCKED -> report.unlock.note();
        case UNAVAILABLE -> "not available here: " + report.unlock.note();
      });
    }
    out.println("config file: " + Formats.tilde(settings.configFile().toString(), home)
        + (Files.exists(settings.configFile()) ? "" : " (absent)"));
    out.println();
    out.println("backends:");
    List<String[]> rows = new ArrayList<>();
    for (BackendStatus status : report.survey) {
      rows.add(new String[] {"  " + status.id(), status.available() ? "available" : "unavailable",
          "priority " + status.priority(), status.builtIn() ? "built-in" : "named only",
          status.reason()});
    }
    if (rows.isEmpty()) {
      out.println("  none found");
    } else {
      out.print(Formats.table(rows));
    }
    for (String problem : report.loadProblems) {
      out.println("  load problem: " + problem);
    }
    out.println();
    if (report.credentials != null) {
      if (report.credentials.isEmpty()) {
        out.println("credentials: none stored");
      } else {
        out.println("credentials:");
        for (String line : Formats.credentialTable(report.credentials, now, report.fingerprints)
            .split("\n")) {
          out.println("  " + line);
        }
      }
    } else {
      out.println("credentials: unknown (the store could not be read)");
    }
    if (!report.otherStores.isEmpty()) {
      out.println();
      out.println("stores not in use that hold credentials:");
      report.otherStores.forEach(other -> out.println("  " + other));
    }
    if (!report.overrides.isEmpty()) {
      out.println();
      out.println("environment overrides:");
      report.overrides.forEach((service, variable) -> out.println("  " + variable
          + " is set: 'credstore get " + service + "' returns it instead of the stored token"
          + " (--no-env reads the store)"));
    }
    if (report.problem != null) {
      out.println();
      out.println("problem:     " + report.problem.getMessage());
    }
  }

  private void writeJson(PrintWriter out, StoreSettings settings, Report report, Instant now)
      throws IOException {
    try (JsonGenerator json = Formats.json(out, global().prettyJson(context()))) {
      json.writeStartObject();
      objectOrNull(json, "backend", report.selected, selected -> {
        json.writeStringField("id", selected.id());
        json.writeStringField("description", selected.description());
        json.writeStringField("reason", selected.reason());
        json.writeStringField("summary",
            report.description == null ? null : report.description.summary());
        json.writeStringField("location",
            report.description == null ? null : report.description.location());
        objects(json, "passedOver", selected.passedOver(), status -> {
          json.writeStringField("id", status.id());
          json.writeStringField("reason", status.reason());
        });
      });
      objectOrNull(json, "unlock", report.unlock, unlock -> {
        json.writeStringField("state", unlock.state().name().toLowerCase(Locale.ROOT));
        json.writeStringField("until", unlock.until() == null ? null : unlock.until().toString());
        json.writeStringField("note", unlock.note());
      });
      json.writeObjectFieldStart("settings");
      setting(json, "backend", settings.backend().value(), settings.backend().source());
      setting(json, "store", settings.storeFile().value(), settings.storeFile().source());
      setting(json, "passphraseFile", settings.passphraseFile().value(),
          settings.passphraseFile().source());
      json.writeStringField("configFile", settings.configFile().toString());
      json.writeBooleanField("configFileExists", Files.exists(settings.configFile()));
      json.writeEndObject();
      Formats.stringArray(json, "otherStores", report.otherStores);
      objects(json, "backends", report.survey, status -> {
        json.writeStringField("id", status.id());
        json.writeStringField("description", status.description());
        json.writeNumberField("priority", status.priority());
        json.writeBooleanField("builtIn", status.builtIn());
        json.writeBooleanField("available", status.available());
        json.writeStringField("reason", status.reason());
      });
      Formats.stringArray(json, "loadProblems", report.loadProblems);
      if (report.credentials == null) {
        json.writeNullField("credentials");
      } else {
        objects(json, "credentials", report.credentials, metadata -> {
          Formats.metadataFields(json, metadata, now);
          json.writeStringField("fingerprint", report.fingerprints.get(metadata.id()));
        });
      }
      objects(json, "environmentOverrides", report.overrides.entrySet(), override -> {
        json.writeStringField("service", override.getKey());
        json.writeStringField("variable", override.getValue());
      });
      objectOrNull(json, "error", report.problem, problem -> {
        json.writeStringField("message", problem.getMessage());
        json.writeNumberField("exitCode",
            spec.commandLine().getExitCodeExceptionMapper().getExitCode(problem));
      });
      json.writeEndObject();
    }
    out.write('\n');
  }

  /** E.g. "7h59m", "12m", "40s": how long an unlock has left, to the minute once it is that long. */
  private static String left(Duration duration) {
    long seconds = Math.max(0, duration.getSeconds());
    if (seconds >= 3600) {
      return seconds / 3600 + "h" + seconds % 3600 / 60 + "m";
    }
    return seconds >= 60 ? seconds / 60 + "m" : seconds + "s";
  }

  /** The fields of one JSON object; a lambda over the generator that is writing it. */
  @FunctionalInterface
  private interface Fields<T> {
    void write(T value) throws IOException;
  }

  /** Writes {@code name} as null when {@code value} is, else as the object {@code fields} fills. */
  private static <T> void objectOrNull(JsonGenerator json, String name, T value, Fields<T> fields)
      throws IOException {
    json.writeFieldName(name);
    if (value == null) {
      json.writeNull();
      return;
    }
    json.writeStartObject();
    fields.write(value);
    json.writeEndObject();
  }

  /** Writes {@code name} as an array of one object per value, each filled by {@code fields}. */
  private static <T> void objects(JsonGenerator json, String name, Iterable<T> values,
      Fields<T> fields) throws IOException {
    json.writeArrayFieldStart(name);
    for (T value : values) {
      json.writeStartObject();
      fields.write(value);
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private static void setting(JsonGenerator json, String name, Object value, String source)
      throws IOException {
    json.writeObjectFieldStart(name);
    json.writeStringField("value", value == null ? null : value.toString());
    json.writeStringField("source", source);
    json.writeEndObject();
  }
}
