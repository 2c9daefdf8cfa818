package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.UnlockStatus;
import dev.credstore.cli.migrate.ConfigDiscovery;
import dev.credstore.cli.migrate.Places;
import dev.credstore.cli.migrate.PlaintextSource;
import dev.credstore.cli.migrate.Reported;
import dev.credstore.cli.migrate.Scan;
import dev.credstore.cli.migrate.Sources;
import dev.credstore.cli.migrate.Migrator;
import dev.credstore.cli.output.Durations;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.cli.session.UnlockPolicy;
import dev.credstore.runtime.BackendStatus;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.SelectedBackend;
import dev.credstore.runtime.StoreSettings;
import dev.credstore.spi.PrivacyVerdict;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.Probe;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "doctor",
    description = {
        "Checks what to know before trusting the store, one line per finding with what to do: "
            + "backends (session bus, Secret Service, locked keyring), which store would be used "
            + "and why, the store file's and directory's permissions, plaintext tokens still in "
            + "known config files, and tokens in environment variables.",
        "Never asks for a passphrase and never reads a secret. Exits 0 when nothing needs "
            + "fixing, 11 when a finding marked 'fix' does."})
final class DoctorCommand extends BaseCommand {

  @Option(names = "--json", description = "Print the findings as one JSON array.")
  boolean json;

  /** ok: as it should be; note: worth knowing; fix: needs action (exit 11). */
  enum Level { OK, NOTE, FIX }

  record Finding(Level level, String topic, String message) {}

  private final List<Finding> findings = new ArrayList<>();

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    StoreSession session = session();
    String home = context().environment().get("HOME");
    KnownServices services = KnownServices.load(session.settings);
    checkBackends(session);
    checkFileStore(session, home);
    checkUnlock(session);
    checkPassphraseFile(session.settings, home);
    checkConfigFiles(services, home);
    checkEnvironment(services);

    PrintWriter out = out();
    if (json) {
      try (JsonGenerator generator = Formats.json(out, global().prettyJson(context()))) {
        generator.writeStartArray();
        for (Finding finding : findings) {
          generator.writeStartObject();
          generator.writeStringField("level", finding.level().name().toLowerCase(Locale.ROOT));
          generator.writeStringField("topic", finding.topic());
          generator.writeStringField("message", finding.message());
          generator.writeEndObject();
        }
        generator.writeEndArray();
      }
      out.write('\n');
    } else {
      for (Finding finding : findings) {
        out.printf("%-5s %s: %s%n", finding.level().name().toLowerCase(Locale.ROOT),
            finding.topic(), finding.message());
      }
    }
    out.flush();
    return findings.stream().anyMatch(f -> f.level() == Level.FIX)
        ? ExitCodes.DOCTOR_FINDINGS : ExitCodes.OK;
  }

  private void checkBackends(StoreSession session) {
    for (BackendStatus status : session.backends.survey(session.options)) {
      if (!status.available()) {
        add(Level.NOTE, status.id(), "unavailable: " + status.reason());
      } else if (status.state() == Probe.State.NEEDS_UNLOCK) {
        add(Level.FIX, status.id(), status.reason() + "; unlock it (log in to the desktop"
            + " session, or unlock the login keyring in your keyring manager)");
      } else {
        add(Level.OK, status.id(), status.reason() + (status.builtIn() ? ""
            : " (never chosen by auto: used only when named with --backend " + status.id()
            + ")"));
      }
    }
    session.backends.loadProblems().forEach(problem -> add(Level.FIX, "backends", problem));
    try {
      SelectedBackend selected = session.select();
      try {
        add(Level.OK, "store", "would use " + selected.id() + " (" + selected.reason() + ")");
        for (String other : session.backends.otherStores(selected.id(), session.options)) {
          add(Level.NOTE, "store", "credentials also exist in a store not in use: " + other
              + "; they are not visible through " + selected.id());
        }
      } finally {
        selected.release();
      }
    } catch (CredentialStoreException e) {
      add(Level.FIX, "store", e.getMessage());
    }
  }

  // Checked whether or not it is the store in use: a forgotten store with loose permissions is
  // still a copy of the secrets.
  private void checkFileStore(StoreSession session, String home) {
    Path file;
    try {
      SelectedBackend fileBackend =
          session.backends.select(new StoreSettings.Setting<>("file", "doctor"), session.options);
      try (CredentialStore store = fileBackend.open(session.options)) {
        file = Path.of(store.describe().location());
      }
    } catch (CredentialStoreException e) {
      return;
    }
    String shown = Formats.tilde(file.toString(), home);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      add(Level.OK, "file store", shown + " does not exist yet (created by the first login)");
      return;
    }
    addVerdict("file store", file, home, " (owned by you, no access for others)");
  }

  /** The unlock cache: available here, and no unlock longer than the configured maximum. */
  private void checkUnlock(StoreSession session) throws ConfigurationException {
    Duration maximum = UnlockPolicy.maximum(session.settings);
    UnlockStatus status;
    try {
      SelectedBackend fileBackend =
          session.backends.select(new StoreSettings.Setting<>("file", "doctor"), session.options);
      try (CredentialStore store = fileBackend.open(session.options)) {
        if (!(store instanceof PassphraseProtectedStore protectedStore)) {
          return;
        }
        status = protectedStore.unlockStatus();
      }
    } catch (CredentialStoreException e) {
      return;
    }
    switch (status.state()) {
      case UNAVAILABLE -> add(Level.NOTE, "unlock", "'credstore unlock' cannot work here: "
          + status.note() + "; every command asks for the passphrase (or "
          + "CREDSTORE_PASSPHRASE_FILE)");
      case LOCKED -> add(Level.OK, "unlock", "the file store is " + status.note());
      case UNLOCKED -> {
        Duration left = Duration.between(root.context.clock().instant(), status.until());
        if (left.compareTo(maximum) > 0) {
          add(Level.FIX, "unlock", "the file store is unlocked until " + status.until()
              + ", longer than the maximum of " + Durations.format(maximum) + " ("
              + UnlockPolicy.maximumSource(session.settings) + "); run: credstore lock");
        } else {
          add(Level.OK, "unlock", "the file store is " + status.note());
        }
      }
    }
  }

  private void checkPassphraseFile(StoreSettings settings, String home) {
    Path file = settings.passphraseFile().value();
    if (file == null) {
      return;
    }
    String shown = Formats.tilde(file.toString(), home);
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      add(Level.FIX, "passphrase file", shown + " (from " + settings.passphraseFile().source()
          + ") does not exist");
      return;
    }
    addVerdict("passphrase file", file, home, "");
  }

  // The verdict the stores themselves apply, so doctor never calls "fix" what a store accepts.
  private void addVerdict(String topic, Path file, String home, String detail) {
    PrivacyVerdict verdict = PrivateFiles.check(file);
    if (verdict.isPrivate()) {
      add(Level.OK, topic, Formats.tilde(file.toString(), home) + " is private" + detail);
    } else {
      add(Level.FIX, topic, verdict.message(p -> Formats.tilde(p.toString(), home)));
    }
  }

  private void checkConfigFiles(KnownServices services, String home) {
    Places places = new Places(context().environment());
    int looked = 0;
    int existing = 0;
    Set<Path> seen = new HashSet<>();
    for (PlaintextSource source : Sources.all(services)) {
      for (Path file : source.files(places)) {
        Path path = file.toAbsolutePath().normalize();
        if (!seen.add(path)) {
          continue;
        }
        looked++;
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        existing++;
        String shown = Formats.tilde(path.toString(), home);
        byte[] bytes = null;
        try {
          bytes = Migrator.read(path);
          try (Scan scan = source.scan(path, bytes)) {
            if (!scan.secrets().isEmpty()) {
              int count = scan.secrets().size();
              add(Level.FIX, "plaintext", shown + " holds " + (count == 1 ? "a " : count + " ")
                  + source.tool() + (count == 1 ? " token" : " tokens")
                  + " in plaintext; run: credstore migrate");
            }
            for (Reported reported : scan.reported()) {
              add(Level.NOTE, "plaintext", shown + " (" + source.tool() + "): "
                  + reported.locator() + ": " + reported.advice());
            }
            if (scan.secrets().isEmpty() && scan.reported().isEmpty()) {
              add(Level.OK, "plaintext", shown + " (" + source.tool() + ") holds no token");
            }
          }
        } catch (CredentialStoreException e) {
          add(Level.NOTE, "plaintext", shown + " (" + source.tool() + ") could not be checked: "
              + e.getMessage());
        } finally {
          if (bytes != null) {
            java.util.Arrays.fill(bytes, (byte) 0);
          }
        }
      }
    }
    if (existing == 0) {
      add(Level.OK, "plaintext", "no known file with plaintext tokens exists (" + looked
          + " places looked at)");
    }
  }

  private void checkEnvironment(KnownServices services) {
    Map<String, String> variables =
        ConfigDiscovery.environmentTokens(services, context().environment());
    variables.forEach((variable, service) -> add(Level.NOTE, "environment", variable
        + " is set: it overrides the stored " + service + " token for the default account and"
        + " every child process inherits it; prefer credstore exec " + service + " -- …"));
    if (context().environment().containsKey("CREDSTORE_PASSPHRASE")) {
      add(Level.NOTE, "environment", "CREDSTORE_PASSPHRASE is set: every child process of this"
          + " shell inherits the store's passphrase; a passphrase file (mode 600) keeps it out"
          + " of the environment");
    }
  }

  private void add(Level level, String topic, String message) {
    findings.add(new Finding(level, topic, message));
  }
}
