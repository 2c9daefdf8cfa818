package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import dev.credstore.cli.migrate.StoreWrites.Stored;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Migrates one file of a {@link PlaintextSource} at a time, in the order that never loses a
 * secret: every store write, read back and compared, and only then the one atomic rewrite of the
 * file. A failure at any step leaves the file exactly as it was; each secret is then in the file,
 * or in both, never in neither.
 */
public final class Migrator {

  /** Per-secret result, spelled as in the JSON report. */
  public enum Status {
    MIGRATED("migrated"),
    ALREADY_MIGRATED("already-migrated"),
    WOULD_MIGRATE("would-migrate"),
    NO_TOKEN("no-token"),
    REPORTED("reported"),
    CONFLICT("conflict"),
    ERROR("error");

    public final String label;

    Status(String label) {
      this.label = label;
    }

    public boolean failed() {
      return this == CONFLICT || this == ERROR;
    }
  }

  /**
   * What happened to one secret (or to a file, when it holds none or cannot be read).
   *
   * @param tool the source's tool
   * @param locator where in the file, e.g. a JSON pointer; "" for the file as a whole
   * @param id the credential, or null when the file is reported as a whole
   * @param attributes the names of the metadata carried (values are in {@code list})
   * @param newMode the file's mode if the rewrite tightened it, else null
   */
  public record Outcome(String tool, Path path, String locator, CredentialId id, Status status,
      String message, int exitCode, List<String> attributes, String newMode) {

    public Outcome(String tool, Path path, String locator, CredentialId id, Status status,
        String message, int exitCode, List<String> attributes) {
      this(tool, path, locator, id, status, message, exitCode, attributes, null);
    }
  }

  /** The run's choices. */
  public record Options(boolean dryRun, boolean keepPlaintext, boolean force) {}

  private final StoreAccess access;
  private final ConfigRewriter rewriter;
  private final MigrationState state;
  private final ToIntFunction<Throwable> exitCodes;
  private final Clock clock;
  private final Places places;
  private final Options options;
  private final StoreWrites writes;
  private StorageException stateProblem;

  public Migrator(StoreAccess access, ConfigRewriter rewriter, MigrationState state,
      ToIntFunction<Throwable> exitCodes, Clock clock, Places places, Options options) {
    this.access = access;
    this.rewriter = rewriter;
    this.state = state;
    this.exitCodes = exitCodes;
    this.clock = clock;
    this.places = places;
    this.options = options;
    this.writes = new StoreWrites(access, clock, options);
  }

  /** The first failure to write the migration record, if any (its files were still migrated). */
  public Optional<StorageException> stateProblem() {
    return Optional.ofNullable(stateProblem);
  }

  /** Migrates {@code file} of {@code source}: one outcome per secret, or one for the file. */
  public List<Outcome> migrate(PlaintextSource source, Path file) {
    byte[] original = null;
    try {
      original = ConfigFiles.read(file);
      Scan scan;
      try {
        scan = source.scan(file, original);
      } catch (ConfigurationException e) {
        throw new ConfigurationException(e.getMessage() + "; nothing changed", e);
      }
      try (scan) {
        return migrate(source, file, original, scan);
      }
    } catch (CredentialStoreException e) {
      return List.of(failure(source, file, "", fileId(source), e));
    } catch (IllegalArgumentException e) {
      return List.of(new Outcome(source.tool(), file, "", fileId(source), Status.ERROR,
          e.getMessage(), ExitCodes.USAGE, List.of()));
    } finally {
      if (original != null) {
        Arrays.fill(original, (byte) 0);
      }
    }
  }

  private static CredentialId fileId(PlaintextSource source) {
    return source instanceof JsonTokenSource json ? json.id() : null;
  }

  private Outcome failure(PlaintextSource source, Path file, String locator, CredentialId id,
      CredentialStoreException e) {
    int code = exitCodes.applyAsInt(e);
    return new Outcome(source.tool(), file, locator, id,
        code == ExitCodes.CONFLICT ? Status.CONFLICT : Status.ERROR, e.getMessage(), code,
        List.of());
  }

  private List<Outcome> migrate(PlaintextSource source, Path file, byte[] original, Scan scan)
      throws CredentialStoreException {
    List<Outcome> outcomes = new ArrayList<>();
    for (Reported reported : scan.reported()) {
      outcomes.add(new Outcome(source.tool(), file, reported.locator(), null, Status.REPORTED,
          reported.advice(), ExitCodes.OK, List.of()));
    }
    if (scan.secrets().isEmpty()) {
      List<MigrationState.Entry> entries = state.entries(file);
      for (MigrationState.Entry entry : entries) {
        boolean unchanged = entry.scrubbedSha256() != null
            && entry.scrubbedSha256().equals(ConfigFiles.sha256(original));
        outcomes.add(new Outcome(source.tool(), file, entry.pointer(), entry.id(),
            Status.ALREADY_MIGRATED, "already migrated to " + Describe.id(entry.id()) + " at "
                + Formats.time(entry.migratedAt()) + (unchanged ? "; the file is unchanged since"
                    : "; the file changed since, but holds no token") + "; nothing to do",
            ExitCodes.OK, List.of()));
      }
      if (entries.isEmpty() && scan.reported().isEmpty()) {
        outcomes.add(new Outcome(source.tool(), file, "", fileId(source), Status.NO_TOKEN,
            scan.nothingReason(), ExitCodes.OK, List.of()));
      }
      return outcomes;
    }
    if (!options.keepPlaintext()) {
      ConfigFiles.checkWritable(file);
    }
    if (options.dryRun()) {
      for (FoundSecret secret : scan.secrets()) {
        outcomes.add(writes.predict(source, file, secret));
      }
      return outcomes;
    }

    List<Stored> stored = new ArrayList<>();
    for (FoundSecret secret : scan.secrets()) {
      try {
        stored.add(writes.store(file, secret));
      } catch (CredentialStoreException e) {
        return storeFailed(source, file, scan, stored, secret, e, outcomes);
      }
    }
    String where = access.where();
    if (options.keepPlaintext()) {
      for (int i = 0; i < stored.size(); i++) {
        FoundSecret secret = scan.secrets().get(i);
        Optional<MigrationState.Entry> entry = state.find(file, secret.locator());
        if (stored.get(i) == Stored.SAME && entry.isPresent() && entry.get().plaintextKept()) {
          outcomes.add(outcome(source, file, secret, Status.ALREADY_MIGRATED, "already in "
              + where + ", plaintext kept (--keep-plaintext); nothing to do"));
          continue;
        }
        String note = record(new MigrationState.Entry(file, secret.locator(), secret.id(), now(),
            true, null));
        outcomes.add(outcome(source, file, secret, Status.MIGRATED, stored.get(i).describe(where)
            + "; the plaintext stays in the file (--keep-plaintext)" + Carried.note(secret)
            + note));
      }
      return outcomes;
    }

    Optional<Set<PosixFilePermission>> mode = Optional.empty();
    byte[] after = scan.deletesFile() ? new byte[0] : scan.rewritten();
    try {
      if (scan.deletesFile()) {
        rewriter.delete(file, original);
      } else {
        mode = source.mode(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
        rewriter.rewrite(file, original, after, mode);
      }
    } catch (IOException | UnsupportedOperationException e) {
      String message = "the token is in the store, but the file could not be rewritten without "
          + "it (" + ConfigFiles.reason(e) + "); the file is unchanged";
      for (FoundSecret secret : scan.secrets()) {
        outcomes.add(new Outcome(source.tool(), file, secret.locator(), secret.id(),
            Status.ERROR, message, ExitCodes.STORAGE, Carried.names(secret)));
      }
      return outcomes;
    }
    String followUp = "";
    int followUpCode = ExitCodes.OK;
    try {
      List<String> done = source.afterRewrite(file, scan, places);
      if (!done.isEmpty()) {
        followUp = "; " + String.join("; ", done);
      }
    } catch (IOException e) {
      followUp = "; but the step after it failed: " + ConfigFiles.reason(e);
      followUpCode = ExitCodes.STORAGE;
    }
    String removed = scan.deletesFile() ? "; removed the file, which held only the token"
        : "; removed it from the file";
    String newMode = mode.map(PosixFilePermissions::toString).orElse(null);
    for (int i = 0; i < stored.size(); i++) {
      FoundSecret secret = scan.secrets().get(i);
      String note = record(new MigrationState.Entry(file, secret.locator(), secret.id(), now(),
          false, ConfigFiles.sha256(after)));
      outcomes.add(new Outcome(source.tool(), file, secret.locator(), secret.id(),
          followUpCode == ExitCodes.OK ? Status.MIGRATED : Status.ERROR,
          stored.get(i).describe(where) + removed + Carried.note(secret) + followUp + note,
          followUpCode, Carried.names(secret), newMode));
    }
    return outcomes;
  }

  /** One secret's store failed: the file stays; say which secrets the store holds anyway. */
  private List<Outcome> storeFailed(PlaintextSource source, Path file, Scan scan,
      List<Stored> stored, FoundSecret failed, CredentialStoreException e,
      List<Outcome> outcomes) {
    String because = "; the file is unchanged, because " + failed.locator() + " failed";
    for (FoundSecret secret : scan.secrets()) {
      int index = scan.secrets().indexOf(secret);
      if (secret == failed) {
        outcomes.add(failure(source, file, secret.locator(), secret.id(), e));
      } else if (index < stored.size()) {
        outcomes.add(new Outcome(source.tool(), file, secret.locator(), secret.id(),
            Status.ERROR, stored.get(index).describe(access.where()) + because,
            exitCodes.applyAsInt(e), Carried.names(secret)));
      } else {
        outcomes.add(new Outcome(source.tool(), file, secret.locator(), secret.id(),
            Status.ERROR, "not stored" + because, exitCodes.applyAsInt(e), Carried.names(secret)));
      }
    }
    return outcomes;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private String record(MigrationState.Entry entry) {
    try {
      state.record(entry);
      return "";
    } catch (StorageException e) {
      if (stateProblem == null) {
        stateProblem = e;
      }
      return "; but " + e.getMessage();
    }
  }

  static Outcome outcome(PlaintextSource source, Path file, FoundSecret secret,
      Status status, String message) {
    return new Outcome(source.tool(), file, secret.locator(), secret.id(), status, message,
        ExitCodes.OK, Carried.names(secret));
  }

  /**
   * Reads a file that is a regular file (not a link), has one name and is of config-file size.
   * The caller zeroes the bytes.
   */
  public static byte[] read(Path path) throws StorageException {
    return ConfigFiles.read(path);
  }

  public static String sha256(byte[] bytes) {
    return ConfigFiles.sha256(bytes);
  }
}
