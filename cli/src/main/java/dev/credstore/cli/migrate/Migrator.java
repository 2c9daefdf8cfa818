package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Migrates one config file at a time, in the order that never loses a token: store write, read
 * back and compare, and only then the config rewrite. A failure at any step leaves the config
 * exactly as it was; the token is then in the config, or in both, never in neither.
 */
public final class Migrator {

  /** Per-file result, spelled as in the JSON report. */
  public enum Status {
    MIGRATED("migrated"),
    ALREADY_MIGRATED("already-migrated"),
    WOULD_MIGRATE("would-migrate"),
    NO_TOKEN("no-token"),
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
   * A config file to migrate.
   *
   * @param path absolute, normalised
   * @param pointer JSON pointer of the token
   * @param metadataPointers attribute name to JSON pointer of metadata to carry
   * @param id the credential the token becomes
   */
  public record Target(Path path, String pointer, Map<String, String> metadataPointers,
      CredentialId id) {}

  /** What happened to one file; {@code attributes} are the names carried (values are in list). */
  public record Outcome(Target target, Status status, String message, int exitCode,
      List<String> attributes) {}

  private enum Stored { CREATED, SAME, REPLACED }

  private final StoreAccess access;
  private final ConfigRewriter rewriter;
  private final MigrationState state;
  private final ExitCodes exitCodes;
  private final Clock clock;
  private final boolean dryRun;
  private final boolean keepPlaintext;
  private final boolean force;
  private final Map<CredentialId, Path> writtenThisRun = new HashMap<>();
  private StorageException stateProblem;

  public Migrator(StoreAccess access, ConfigRewriter rewriter, MigrationState state,
      ExitCodes exitCodes, Clock clock, boolean dryRun, boolean keepPlaintext, boolean force) {
    this.access = access;
    this.rewriter = rewriter;
    this.state = state;
    this.exitCodes = exitCodes;
    this.clock = clock;
    this.dryRun = dryRun;
    this.keepPlaintext = keepPlaintext;
    this.force = force;
  }

  /** The first failure to write the migration record, if any (its files were still migrated). */
  public Optional<StorageException> stateProblem() {
    return Optional.ofNullable(stateProblem);
  }

  public Outcome migrate(Target target) {
    byte[] original = null;
    try {
      original = read(target.path());
      try (PlaintextConfig config = parse(original, target)) {
        return migrate(target, original, config);
      }
    } catch (CredentialStoreException e) {
      int code = exitCodes.getExitCode(e);
      return new Outcome(target, code == ExitCodes.CONFLICT ? Status.CONFLICT : Status.ERROR,
          e.getMessage(), code, List.of());
    } catch (IllegalArgumentException e) {
      return new Outcome(target, Status.ERROR, e.getMessage(), ExitCodes.USAGE,
          List.of());
    } finally {
      if (original != null) {
        Arrays.fill(original, (byte) 0);
      }
    }
  }

  private Outcome migrate(Target target, byte[] original, PlaintextConfig config)
      throws CredentialStoreException {
    Path path = target.path();
    CredentialId id = target.id();
    Optional<MigrationState.Entry> entry = state.find(path, target.pointer());
    Set<String> attributes = config.metadata().keySet();
    if (config.token().isEmpty()) {
      if (entry.isPresent()) {
        boolean unchanged = entry.get().scrubbedSha256() != null
            && entry.get().scrubbedSha256().equals(sha256(original));
        return outcome(target, Status.ALREADY_MIGRATED, "already migrated to "
            + Describe.id(entry.get().id()) + " at " + Formats.time(entry.get().migratedAt())
            + (unchanged ? "; the file is unchanged since" : "; the file changed since, but "
                + "holds no token") + "; nothing to do", attributes);
      }
      return outcome(target, Status.NO_TOKEN, config.noTokenReason(), Set.of());
    }
    Secret token = config.token().get();
    if (!keepPlaintext) {
      checkWritable(path);
    }
    String carried = carried(config);
    if (dryRun) {
      return outcome(target, Status.WOULD_MIGRATE, "would store the token"
          + (keepPlaintext ? " and keep the plaintext in the file" : " and remove it from the file")
          + carried, attributes);
    }
    Stored stored = store(target, token, config.metadata());
    String where = access.where();
    if (keepPlaintext) {
      if (stored == Stored.SAME && entry.isPresent() && entry.get().plaintextKept()) {
        return outcome(target, Status.ALREADY_MIGRATED, "already in " + where
            + ", plaintext kept (--keep-plaintext); nothing to do", attributes);
      }
      String note = record(new MigrationState.Entry(path, target.pointer(), id,
          now(), true, null));
      return outcome(target, Status.MIGRATED, describe(stored, where)
          + "; the plaintext stays in the file (--keep-plaintext)" + carried + note, attributes);
    }
    byte[] scrubbed = config.scrubbed();
    try {
      rewriter.rewrite(path, original, scrubbed);
    } catch (IOException e) {
      throw new StorageException("the token is in the store, but the file could not be rewritten without it (" + reason(e)
          + "); the file is unchanged", e);
    }
    String note = record(new MigrationState.Entry(path, target.pointer(), id, now(), false,
        sha256(scrubbed)));
    return outcome(target, Status.MIGRATED, describe(stored, where)
        + "; removed it from the file" + carried + note, attributes);
  }

  /** Store write (create, or same token, or --force replace), then read back and compare. */
  private Stored store(Target target, Secret token, Map<String, String> attributes)
      throws CredentialStoreException {
    CredentialId id = target.id();
    CredentialStore store = access.store();
    Stored result;
    try (Credential fresh = Credential.builder(id).token(token).attributes(attributes)
        .clock(clock).build()) {
      try {
        store.create(fresh);
        result = Stored.CREATED;
      } catch (CredentialConflictException exists) {
        result = storeOverExisting(store, target, token, attributes, exists);
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
    writtenThisRun.putIfAbsent(id, target.path());
    return result;
  }

  private Stored storeOverExisting(CredentialStore store, Target target, Secret token,
      Map<String, String> attributes, CredentialConflictException exists)
      throws CredentialStoreException {
    CredentialId id = target.id();
    Optional<Credential> found = store.get(id);
    if (found.isEmpty()) {
      throw new CredentialConflictException(Describe.id(id) + " changed in the store while "
          + "credstore was migrating; the file is unchanged, run migrate again", exists);
    }
    try (Credential old = found.get()) {
      if (old.secret().sameAs(token)) {
        return Stored.SAME;
      }
      Path earlier = writtenThisRun.get(id);
      if (earlier != null) {
        throw new CredentialConflictException("holds a different token than " + earlier
            + ", which this run already moved to " + Describe.id(id) + "; the file is unchanged."
            + " Migrate it on its own with --from PATH --service " + id.service()
            + " --account NAME, or delete the stale token by hand", exists);
      }
      if (!force) {
        throw new CredentialConflictException("the store already holds a different token for "
            + Describe.id(id) + "; the file is unchanged. Use --force to store this one (the "
            + "stored one is kept as its previous secret), or --account NAME to keep both",
            exists);
      }
      Map<String, String> merged = new TreeMap<>(old.metadata().attributes());
      merged.putAll(attributes);
      Instant now = clock.instant();
      try (Credential replacement = Credential.builder(id).token(token).attributes(merged)
          .previousSecret(old.secret()).createdAt(old.metadata().createdAt()).rotatedAt(now)
          .updatedAt(now).build()) {
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

  private static String carried(PlaintextConfig config) {
    String text = config.metadata().isEmpty() ? ""
        : "; attributes " + Formats.attributes(config.metadata());
    if (!config.skippedMetadata().isEmpty()) {
      text += "; not carried (empty, too long or not printable): "
          + String.join(", ", config.skippedMetadata());
    }
    return text;
  }

  private static Outcome outcome(Target target, Status status, String message,
      Collection<String> attributes) {
    return new Outcome(target, status, message, ExitCodes.OK, List.copyOf(attributes));
  }

  /**
   * Reads a config file that is a regular file (not a link), has one name and is of config-file
   * size. The caller zeroes the bytes.
   */
  static byte[] read(Path path) throws StorageException {
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

  private static PlaintextConfig parse(byte[] bytes, Target target)
      throws ConfigurationException {
    try {
      return PlaintextConfig.parse(bytes, target.pointer(), target.metadataPointers());
    } catch (ConfigurationException e) {
      throw new ConfigurationException(e.getMessage() + "; nothing changed", e);
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

  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
