package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
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

  private enum Stored { CREATED, SAME, REPLACED }

  private final StoreAccess access;
  private final ConfigRewriter rewriter;
  private final MigrationState state;
  private final ToIntFunction<Throwable> exitCodes;
  private final Clock clock;
  private final Places places;
  private final Options options;
  private final Map<CredentialId, String> writtenThisRun = new HashMap<>();
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
  }

  /** The first failure to write the migration record, if any (its files were still migrated). */
  public Optional<StorageException> stateProblem() {
    return Optional.ofNullable(stateProblem);
  }

  /** Migrates {@code file} of {@code source}: one outcome per secret, or one for the file. */
  public List<Outcome> migrate(PlaintextSource source, Path file) {
    byte[] original = null;
    try {
      original = read(file);
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
            && entry.scrubbedSha256().equals(sha256(original));
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
      checkWritable(file);
    }
    if (options.dryRun()) {
      for (FoundSecret secret : scan.secrets()) {
        outcomes.add(predict(source, file, secret));
      }
      return outcomes;
    }

    List<Stored> stored = new ArrayList<>();
    for (FoundSecret secret : scan.secrets()) {
      try {
        stored.add(store(file, secret));
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
        outcomes.add(outcome(source, file, secret, Status.MIGRATED, describe(stored.get(i), where)
            + "; the plaintext stays in the file (--keep-plaintext)" + carried(secret) + note));
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
          + "it (" + reason(e) + "); the file is unchanged";
      for (FoundSecret secret : scan.secrets()) {
        outcomes.add(new Outcome(source.tool(), file, secret.locator(), secret.id(),
            Status.ERROR, message, ExitCodes.STORAGE, attributes(secret)));
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
      followUp = "; but the step after it failed: " + reason(e);
      followUpCode = ExitCodes.STORAGE;
    }
    String removed = scan.deletesFile() ? "; removed the file, which held only the token"
        : "; removed it from the file";
    String newMode = mode.map(PosixFilePermissions::toString).orElse(null);
    for (int i = 0; i < stored.size(); i++) {
      FoundSecret secret = scan.secrets().get(i);
      String note = record(new MigrationState.Entry(file, secret.locator(), secret.id(), now(),
          false, sha256(after)));
      outcomes.add(new Outcome(source.tool(), file, secret.locator(), secret.id(),
          followUpCode == ExitCodes.OK ? Status.MIGRATED : Status.ERROR,
          describe(stored.get(i), where) + removed + carried(secret) + followUp + note,
          followUpCode, attributes(secret), newMode));
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
            Status.ERROR, describe(stored.get(index), access.where()) + because,
            exitCodes.applyAsInt(e), attributes(secret)));
      } else {
        outcomes.add(new Outcome(source.tool(), file, secret.locator(), secret.id(),
            Status.ERROR, "not stored" + because, exitCodes.applyAsInt(e), attributes(secret)));
      }
    }
    return outcomes;
  }

  /** --dry-run: what the store holds now decides between new, same and conflict. */
  private Outcome predict(PlaintextSource source, Path file, FoundSecret secret)
      throws CredentialStoreException {
    String action = options.keepPlaintext() ? " and keep the plaintext in the file"
        : " and remove it from the file";
    Optional<Credential> existing = access.store().get(secret.id());
    if (existing.isEmpty()) {
      return outcome(source, file, secret, Status.WOULD_MIGRATE, "would store the token" + action
          + carried(secret));
    }
    try (Credential old = existing.get()) {
      if (old.secret().sameAs(secret.secret())) {
        return outcome(source, file, secret, Status.WOULD_MIGRATE, "the store already holds this "
            + "token; would" + action.replaceFirst("^ and", "") + carried(secret));
      }
    }
    if (options.force()) {
      return outcome(source, file, secret, Status.WOULD_MIGRATE, "would replace the different "
          + "token stored for " + Describe.id(secret.id()) + " (--force)" + action);
    }
    return new Outcome(source.tool(), file, secret.locator(), secret.id(), Status.CONFLICT,
        "the store already holds a different token for " + Describe.id(secret.id())
            + "; migrate would stop here. Use --force to store this one, or --account NAME",
        ExitCodes.CONFLICT, attributes(secret));
  }

  /** Store write (create, or same token, or --force replace), then read back and compare. */
  private Stored store(Path file, FoundSecret found) throws CredentialStoreException {
    CredentialId id = found.id();
    Secret token = found.secret();
    Map<String, String> attributes = usable(found.metadata());
    CredentialStore store = access.store();
    Stored result;
    try (Credential fresh = Credential.builder(id).token(token).attributes(attributes)
        .clock(clock).build()) {
      try {
        store.create(fresh);
        result = Stored.CREATED;
      } catch (CredentialConflictException exists) {
        result = storeOverExisting(store, file, found, attributes, exists);
      }
    }
    Optional<Credential> back = store.get(id);
    if (back.isEmpty()) {
      throw new IntegrityException("reading " + Describe.id(id) + " back after storing it found "
          + "nothing; the file is unchanged");
    }
    try (Credential credential = back.get()) {
      if (!credential.secret().sameAs(token)) {
        throw new IntegrityException("the token read back for " + Describe.id(id)
            + " differs from the one written; the file is unchanged");
      }
    }
    writtenThisRun.putIfAbsent(id, file + (found.locator().isEmpty() ? "" : " " + found.locator()));
    return result;
  }

  private Stored storeOverExisting(CredentialStore store, Path file, FoundSecret found,
      Map<String, String> attributes, CredentialConflictException exists)
      throws CredentialStoreException {
    CredentialId id = found.id();
    Optional<Credential> current = store.get(id);
    if (current.isEmpty()) {
      throw new CredentialConflictException(Describe.id(id) + " changed in the store while "
          + "credstore was migrating; the file is unchanged, run migrate again", exists);
    }
    try (Credential old = current.get()) {
      if (old.secret().sameAs(found.secret())) {
        return Stored.SAME;
      }
      String earlier = writtenThisRun.get(id);
      if (earlier != null) {
        throw new CredentialConflictException("holds a different token than " + earlier
            + ", which this run already moved to " + Describe.id(id) + "; the file is unchanged."
            + " Migrate it on its own with --from PATH --service " + id.service()
            + " --account NAME, or delete the stale token by hand", exists);
      }
      if (!options.force()) {
        throw new CredentialConflictException("the store already holds a different token for "
            + Describe.id(id) + "; the file is unchanged. Use --force to store this one (the "
            + "stored one is kept as its previous secret), or --account NAME to keep both",
            exists);
      }
      Map<String, String> merged = new TreeMap<>(old.metadata().attributes());
      merged.putAll(attributes);
      Instant now = clock.instant();
      try (Credential replacement = Credential.builder(id).token(found.secret())
          .attributes(merged).previousSecret(old.secret()).createdAt(old.metadata().createdAt())
          .rotatedAt(now).updatedAt(now).build()) {
        store.replace(old.secret(), replacement);
      }
      return Stored.REPLACED;
    }
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

  private static String describe(Stored stored, String where) {
    switch (stored) {
      case SAME:
        return "the store already held this token (" + where + ")";
      case REPLACED:
        return "stored the token in " + where
            + ", replacing a different one (kept as its previous secret, --force)";
      default:
        return "stored the token in " + where;
    }
  }

  /** Metadata a credential can hold: printable, not empty, not too long. */
  private static Map<String, String> usable(Map<String, String> metadata) {
    Map<String, String> usable = new TreeMap<>();
    metadata.forEach((name, value) -> {
      if (usable(value)) {
        usable.put(name, value);
      }
    });
    return usable;
  }

  private static boolean usable(String value) {
    return !value.isEmpty() && value.length() <= CredentialMetadata.MAX_ATTRIBUTE_VALUE_LENGTH
        && value.chars().noneMatch(Character::isISOControl);
  }

  private static String carried(FoundSecret secret) {
    Map<String, String> carried = usable(secret.metadata());
    String text = carried.isEmpty() ? "" : "; attributes " + Formats.attributes(carried);
    List<String> skipped = new ArrayList<>(secret.skippedMetadata());
    secret.metadata().forEach((name, value) -> {
      if (!usable(value)) {
        skipped.add(name);
      }
    });
    if (!skipped.isEmpty()) {
      text += "; not carried (empty, too long or not printable): " + String.join(", ", skipped);
    }
    return text;
  }

  private static List<String> attributes(FoundSecret secret) {
    return List.copyOf(usable(secret.metadata()).keySet());
  }

  private static Outcome outcome(PlaintextSource source, Path file, FoundSecret secret,
      Status status, String message) {
    return new Outcome(source.tool(), file, secret.locator(), secret.id(), status, message,
        ExitCodes.OK, attributes(secret));
  }

  /**
   * Reads a file that is a regular file (not a link), has one name and is of config-file size.
   * The caller zeroes the bytes.
   */
  public static byte[] read(Path path) throws StorageException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new StorageException("no such file");
    } catch (IOException e) {
      throw new StorageException("cannot inspect it (" + reason(e) + ")", e);
    }
    if (attributes.isSymbolicLink()) {
      String to;
      try {
        to = " to " + Files.readSymbolicLink(path);
      } catch (IOException e) {
        to = "";
      }
      throw new StorageException("is a symbolic link" + to + "; credstore does not rewrite "
          + "files through links, nothing changed (migrate the link's target with --from)");
    }
    if (!attributes.isRegularFile()) {
      throw new StorageException("is not a regular file; nothing changed");
    }
    try {
      Object links = Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
      if (links instanceof Integer count && count > 1) {
        throw new StorageException("has " + count + " hard links; rewriting it would leave the "
            + "token behind under the other names, so nothing changed");
      }
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException noUnixView) {
      // Not a Unix file system: no hard links to worry about that we could see anyway.
    }
    if (attributes.size() > PlaintextConfig.MAX_SIZE) {
      throw new StorageException("is " + attributes.size() + " bytes, larger than any config "
          + "file credstore will rewrite (" + PlaintextConfig.MAX_SIZE + ")");
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      if (size > PlaintextConfig.MAX_SIZE) {
        throw new StorageException("grew past " + PlaintextConfig.MAX_SIZE + " bytes");
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // keep reading
      }
      if (buffer.hasRemaining() || channel.read(ByteBuffer.allocate(1)) >= 0) {
        Arrays.fill(buffer.array(), (byte) 0);
        throw new StorageException("changed size while being read; run migrate again");
      }
      return buffer.array();
    } catch (IOException e) {
      throw new StorageException("cannot read it (" + reason(e) + "); nothing changed", e);
    }
  }

  private static void checkWritable(Path path) throws StorageException {
    if (!Files.isWritable(path)) {
      throw new StorageException("is not writable (read-only or immutable); credstore did not "
          + "touch the store or the file");
    }
    Path directory = path.toAbsolutePath().getParent();
    if (!Files.isWritable(directory)) {
      throw new StorageException("its directory " + directory + " is not writable, and the "
          + "atomic rewrite needs to create a file there; credstore did not touch the store or "
          + "the file");
    }
  }

  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static String reason(Exception e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
