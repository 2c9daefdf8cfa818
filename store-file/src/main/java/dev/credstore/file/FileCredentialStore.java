package dev.credstore.file;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.api.StoreDescription;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * The encrypted-file store. Reads need no lock (writes replace the file by atomic rename); every
 * read-modify-write holds an exclusive lock on {@code <store>.lock}, taken by threads of this
 * process through an in-process lock and by other processes through {@link FileChannel#lock}.
 *
 * <p>The key-encryption key is derived once per process and kept until {@link #close()}, so a
 * later write need not ask for the passphrase or run Argon2id again; it is used only while the
 * file's KDF section (parameters and salt) is unchanged.
 *
 * <p>The decrypted contents are kept too (a {@link Snapshot}, zeroed by {@link #close()} or when
 * replaced), so that {@link #get} and {@link #list} on an open store cost a stat and a 32-byte read
 * instead of a full decrypt: the snapshot is used only while the file has the same identity, size
 * and modification time and ends in the same SHA-256 checksum as the bytes it was decrypted from.
 * Any writer, here or in another process, replaces the file and so changes all four. A forged file
 * that kept them would only make us return what we had authenticated before.
 *
 * <p>A write uses the snapshot too: under the lock, a snapshot that still matches the file is what
 * a re-read would decrypt, so the change is made to it and the file is only encrypted and written,
 * not read and decrypted first. After the write the snapshot is what was written, stamped from the
 * file then on disk (the forged file above would be replaced by authenticated contents).
 */
final class FileCredentialStore implements PassphraseProtectedStore {

  static final int MIN_PASSPHRASE_LENGTH = 8;
  static final String SUMMARY = "encrypted file (Argon2id + AES-256-GCM, format "
      + StoreFileFormat.VERSION + ")";

  private final Path file;
  private final Path lockFile;
  private final String location;
  private final PassphraseSource passphrases;
  private final KdfParameters newStoreKdf;
  private final Duration lockTimeout;

  private final Object keyCache = new Object();
  // Guards snapshot; taken before keyCache when both are needed.
  private final Object snapshotLock = new Object();
  private Snapshot snapshot;
  private StoreFileFormat.KeySection cachedKeys;
  private byte[] cachedKek;
  private volatile boolean closed;

  FileCredentialStore(Path file, PassphraseSource passphrases, KdfParameters newStoreKdf,
      Duration lockTimeout) {
    this.file = file.toAbsolutePath().normalize();
    this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    this.location = this.file.toString();
    this.passphrases = passphrases;
    this.newStoreKdf = newStoreKdf;
    this.lockTimeout = lockTimeout;
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    synchronized (snapshotLock) {
      Snapshot current = currentSnapshot();
      Credential found = current == null ? null : current.credentials.get(id);
      // A copy: the caller closes it, and the snapshot's secrets must outlive that.
      return found == null ? Optional.empty() : Optional.of(found.toBuilder().build());
    }
  }

  @Override
  public List<CredentialMetadata> list() throws CredentialStoreException {
    synchronized (snapshotLock) {
      Snapshot current = currentSnapshot();
      List<CredentialMetadata> result = new ArrayList<>();
      if (current != null) {
        current.credentials.values().forEach(c -> result.add(c.metadata()));
      }
      return result;
    }
  }

  @Override
  public void create(Credential credential) throws CredentialStoreException {
    modify(draft -> {
      if (draft.contains(credential.id())) {
        throw new CredentialConflictException("credential " + credential.id() + " already exists");
      }
      draft.put(credential.toBuilder().build());
    });
  }

  @Override
  public void put(Credential credential) throws CredentialStoreException {
    modify(draft -> draft.put(credential.toBuilder().build()));
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    modify(draft -> {
      Credential current = draft.get(replacement.id());
      if (current == null) {
        throw new CredentialNotFoundException("no credential " + replacement.id());
      }
      if (!current.secret().sameAs(expectedSecret)) {
        throw new CredentialConflictException("credential " + replacement.id()
            + " changed since it was read; nothing was replaced");
      }
      draft.put(replacement.toBuilder().build());
    });
  }

  @Override
  public boolean delete(CredentialId id) throws CredentialStoreException {
    boolean[] removed = {false};
    modify(draft -> removed[0] = draft.remove(id));
    return removed[0];
  }

  @Override
  public void changePassphrase(Secret newPassphrase) throws CredentialStoreException {
    checkNewPassphrase(newPassphrase);
    withWriteLock(() -> {
      try (Contents contents = readExisting()) {
        byte[] salt = Crypto.random(Crypto.SALT_BYTES);
        char[] chars = newPassphrase.revealChars();
        byte[] kek;
        try {
          kek = Crypto.deriveKey(chars, salt, newStoreKdf);
        } finally {
          Arrays.fill(chars, '\0');
        }
        StoreFileFormat.KeySection keys =
            StoreFileFormat.KeySection.wrap(newStoreKdf, salt, kek, contents.dataKey);
        write(keys, contents.dataKey, contents);
        remember(keys, kek);
      } finally {
        install(null); // holds the old key section
      }
    });
  }

  @Override
  public void rotateDataKey() throws CredentialStoreException {
    withWriteLock(() -> {
      try (Contents contents = readExisting()) {
        byte[] newDataKey = Crypto.random(Crypto.KEY_BYTES);
        try {
          StoreFileFormat.KeySection keys;
          synchronized (keyCache) {
            keys = StoreFileFormat.KeySection.wrap(contents.keys.kdf, contents.keys.salt(),
                cachedKek, newDataKey);
          }
          write(keys, newDataKey, contents);
        } finally {
          Arrays.fill(newDataKey, (byte) 0);
        }
      } finally {
        install(null); // holds the old data key
      }
    });
  }

  @Override
  public StoreDescription describe() {
    return new StoreDescription(FileStoreProvider.ID, SUMMARY, location);
  }

  @Override
  public void close() {
    closed = true;
    synchronized (snapshotLock) {
      replaceSnapshot(null);
    }
    synchronized (keyCache) {
      if (cachedKek != null) {
        Arrays.fill(cachedKek, (byte) 0);
        cachedKek = null;
      }
      cachedKeys = null;
    }
  }

  /** The kept snapshot's own secrets by id, not copies (empty if none is kept). For tests. */
  Map<CredentialId, Secret> keptSecrets() {
    synchronized (snapshotLock) {
      Map<CredentialId, Secret> kept = new TreeMap<>();
      if (snapshot != null) {
        snapshot.credentials.forEach((id, credential) -> kept.put(id, credential.secret()));
      }
      return kept;
    }
  }

  /** The kept snapshot's own JSON of each credential, not copies (empty if none). For tests. */
  Map<CredentialId, byte[]> keptEncodings() {
    synchronized (snapshotLock) {
      return snapshot == null ? Map.of() : new TreeMap<>(snapshot.contents.encoded);
    }
  }

  /** What a modification does to a draft of the decrypted credentials. */
  @FunctionalInterface
  private interface Modification {
    void apply(Draft draft) throws CredentialStoreException;
  }

  @FunctionalInterface
  private interface LockedAction {
    void run() throws CredentialStoreException;
  }

  private void modify(Modification modification) throws CredentialStoreException {
    // Derive the key before taking the lock, so that one process's Argon2id run never makes the
    // others wait; under the lock the cached key makes the re-read cheap.
    if (!warmKeyCache() && !changesAnEmptyStore(modification)) {
      return; // e.g. deleting from a store that does not exist: create nothing, not even a lock
    }
    withWriteLock(() -> {
      // Under the lock nobody else can write, so a snapshot whose stamp still matches the file is
      // exactly what a re-read would decrypt: change it instead of decrypting the file again.
      Snapshot base = takeSnapshot();
      if (base == null) {
        Draft fresh = new Draft(new TreeMap<>(), new TreeMap<>());
        Snapshot created = null;
        try {
          modification.apply(fresh);
          if (fresh.changed()) {
            created = createStore(fresh.credentials, fresh.encoded);
          }
        } finally {
          if (created == null) {
            fresh.discard();
          }
          install(created);
        }
        return;
      }
      Draft draft = new Draft(base.credentials, base.contents.encoded);
      Snapshot next = null;
      try {
        modification.apply(draft);
        if (!draft.changed()) {
          next = base;
        } else {
          FileStamp written = write(base.contents.keys, base.contents.dataKey, base.contents);
          // The draft is now the file's contents; keep it only if the file is what we wrote.
          next = written == null ? null : new Snapshot(written, base.contents);
        }
      } catch (CredentialStoreException | RuntimeException e) {
        next = draft.changed() ? null : base; // e.g. a conflict: the snapshot still holds
        throw e;
      } finally {
        if (next == null) {
          base.contents.close();
        }
        install(next);
      }
    });
  }

  /** Unlocks the store if it exists, caching the key; returns whether it exists. */
  private boolean warmKeyCache() throws CredentialStoreException {
    synchronized (snapshotLock) {
      // An unchanged snapshot means this file's key is cached: no need to read the file whole.
      if (isCurrent(snapshot)) {
        return true;
      }
    }
    byte[] bytes = readStoreBytes();
    if (bytes == null) {
      return false;
    }
    byte[] dataKey = unlock(StoreFileFormat.parse(bytes, location).keys);
    Arrays.fill(dataKey, (byte) 0);
    return true;
  }

  private static boolean changesAnEmptyStore(Modification modification)
      throws CredentialStoreException {
    Draft empty = new Draft(new TreeMap<>(), new TreeMap<>());
    try {
      modification.apply(empty);
      return empty.changed();
    } finally {
      empty.discard();
    }
  }

  /**
   * Creates the store file holding {@code credentials} (and their JSON). Returns its snapshot,
   * which then owns them, or null if the file could not be stamped.
   */
  private Snapshot createStore(TreeMap<CredentialId, Credential> credentials,
      TreeMap<CredentialId, byte[]> encoded) throws CredentialStoreException {
    PrivateFiles.ensureDirectory(file.getParent());
    byte[] salt = Crypto.random(Crypto.SALT_BYTES);
    byte[] kek;
    try (Secret passphrase = passphrases.passphrase(PassphraseSource.Purpose.CREATE, location)
        .orElseThrow(this::noPassphrase)) {
      checkNewPassphrase(passphrase);
      char[] chars = passphrase.revealChars();
      try {
        kek = Crypto.deriveKey(chars, salt, newStoreKdf);
      } finally {
        Arrays.fill(chars, '\0');
      }
    }
    byte[] dataKey = Crypto.random(Crypto.KEY_BYTES);
    StoreFileFormat.KeySection keys =
        StoreFileFormat.KeySection.wrap(newStoreKdf, salt, kek, dataKey);
    Contents contents = new Contents(keys, dataKey, credentials, encoded);
    Snapshot created = null;
    try {
      FileStamp written = write(keys, dataKey, contents);
      remember(keys, kek);
      kek = null; // the key cache owns it now
      if (written != null) {
        created = new Snapshot(written, contents);
      }
      return created;
    } finally {
      if (kek != null) {
        Arrays.fill(kek, (byte) 0);
      }
      if (created == null) {
        contents.close(); // the caller closes the credentials too; closing twice is harmless
      }
    }
  }

  /**
   * Encrypts and atomically replaces the file. Returns the stamp of the file now on disk if it
   * holds exactly the bytes written (it always should: we hold the lock), else null.
   */
  private FileStamp write(StoreFileFormat.KeySection keys, byte[] dataKey, Contents contents)
      throws StorageException {
    byte[] payload = contents.payload();
    byte[] bytes;
    try {
      bytes = StoreFileFormat.encode(keys, dataKey, payload);
    } finally {
      Arrays.fill(payload, (byte) 0);
    }
    PrivateFiles.replace(file, bytes);
    try {
      return FileStamp.ifHolds(file, bytes);
    } catch (StorageException e) {
      return null; // the write itself is done and durable; only the snapshot is lost
    }
  }

  /**
   * The decrypted store as it is on disk now, or null if there is no file: the kept snapshot if
   * the file is unchanged, else a fresh read that becomes the snapshot. Call holding snapshotLock.
   */
  private Snapshot currentSnapshot() throws CredentialStoreException {
    checkOpen();
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      replaceSnapshot(null);
      return null;
    }
    PrivateFiles.check(file).require();
    if (snapshot != null && snapshot.stamp.equals(FileStamp.of(file))) {
      return snapshot;
    }
    replaceSnapshot(null);
    FileStamp before = FileStamp.of(file);
    byte[] bytes = readStoreBytes();
    if (bytes == null) {
      return null;
    }
    Contents contents = decrypt(bytes);
    // Tied to the checksum of the bytes actually decrypted: if the file was replaced between the
    // stat and the read, the stamp cannot match the next time and the file is read again.
    replaceSnapshot(new Snapshot(before.withChecksum(checksumOf(bytes)), contents));
    return snapshot;
  }

  /**
   * Under the write lock: the current snapshot, detached so that it belongs to the caller (a
   * concurrent get meanwhile reads the file rather than see a half-made change).
   */
  private Snapshot takeSnapshot() throws CredentialStoreException {
    synchronized (snapshotLock) {
      Snapshot current = currentSnapshot();
      snapshot = null;
      return current;
    }
  }

  /** Makes {@code next} the snapshot (null: none), zeroing the one it replaces. */
  private void install(Snapshot next) {
    synchronized (snapshotLock) {
      if (closed && next != null) {
        next.contents.close(); // closed while we wrote: keep no plaintext
        next = null;
      }
      replaceSnapshot(next);
    }
  }

  /** Whether {@code kept} still describes the file. Call holding snapshotLock. */
  private boolean isCurrent(Snapshot kept) throws StorageException {
    return kept != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        && kept.stamp.equals(FileStamp.of(file));
  }

  private void replaceSnapshot(Snapshot next) {
    if (snapshot != null && snapshot != next) {
      snapshot.contents.close();
    }
    snapshot = next;
  }

  /** The decrypted store, or null if the file does not exist yet. */
  private Contents read() throws CredentialStoreException {
    checkOpen();
    byte[] bytes = readStoreBytes();
    return bytes == null ? null : decrypt(bytes);
  }

  private Contents decrypt(byte[] bytes) throws CredentialStoreException {
    StoreFileFormat.Parsed parsed = StoreFileFormat.parse(bytes, location);
    byte[] dataKey = unlock(parsed.keys);
    byte[] payload = parsed.openPayload(dataKey);
    if (payload == null) {
      Arrays.fill(dataKey, (byte) 0);
      throw new IntegrityException("store file " + location + " failed verification: its"
          + " contents were altered or damaged (the passphrase is correct)");
    }
    try {
      TreeMap<CredentialId, byte[]> objects = new TreeMap<>();
      return new Contents(parsed.keys, dataKey, PayloadCodec.decode(payload, objects), objects);
    } catch (PayloadCodec.MalformedPayloadException e) {
      Arrays.fill(dataKey, (byte) 0);
      throw new IntegrityException("store file " + location + " holds a malformed payload: "
          + e.getMessage(), e);
    } finally {
      Arrays.fill(payload, (byte) 0);
    }
  }

  private static byte[] checksumOf(byte[] file) {
    return Arrays.copyOfRange(file, file.length - StoreFileFormat.CHECKSUM_LENGTH, file.length);
  }

  private Contents readExisting() throws CredentialStoreException {
    Contents contents = read();
    if (contents == null) {
      throw new CredentialNotFoundException("there is no store at " + location + " yet");
    }
    return contents;
  }

  private byte[] readStoreBytes() throws StorageException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    PrivateFiles.check(file).require();
    return PrivateFiles.readIfExists(file, StoreFileFormat.MAX_FILE_LENGTH);
  }

  /** Returns the data key (the caller zeroes it), deriving the KEK only when not cached. */
  private byte[] unlock(StoreFileFormat.KeySection keys) throws AuthenticationException {
    synchronized (keyCache) {
      if (cachedKeys != null && cachedKeys.sameKdfAs(keys)) {
        byte[] dataKey = keys.unwrap(cachedKek);
        if (dataKey != null) {
          return dataKey;
        }
      }
      byte[] kek;
      try (Secret passphrase = passphrases.passphrase(PassphraseSource.Purpose.UNLOCK, location)
          .orElseThrow(this::noPassphrase)) {
        char[] chars = passphrase.revealChars();
        try {
          kek = Crypto.deriveKey(chars, keys.salt(), keys.kdf);
        } finally {
          Arrays.fill(chars, '\0');
        }
      }
      byte[] dataKey = keys.unwrap(kek);
      if (dataKey == null) {
        Arrays.fill(kek, (byte) 0);
        throw new AuthenticationException("wrong passphrase for store " + location);
      }
      remember(keys, kek);
      return dataKey;
    }
  }

  private void remember(StoreFileFormat.KeySection keys, byte[] kek) {
    synchronized (keyCache) {
      if (cachedKek != null && cachedKek != kek) {
        Arrays.fill(cachedKek, (byte) 0);
      }
      cachedKeys = keys;
      cachedKek = kek;
    }
  }

  private AuthenticationException noPassphrase() {
    return new AuthenticationException("store " + location + " needs a passphrase: set "
        + PassphraseSource.ENV_VARIABLE + ", use --passphrase-file, or run in a terminal");
  }

  private static void checkNewPassphrase(Secret passphrase) {
    if (passphrase.isBlank() || passphrase.length() < MIN_PASSPHRASE_LENGTH) {
      throw new IllegalArgumentException("passphrase must be at least " + MIN_PASSPHRASE_LENGTH
          + " characters and not only whitespace");
    }
  }

  private void withWriteLock(LockedAction action) throws CredentialStoreException {
    checkOpen();
    PrivateFiles.ensureDirectory(file.getParent());
    PrivateLock.hold(lockFile, lockTimeout, () -> {
      PrivateFiles.removeStaleTemporaryFiles(file);
      action.run();
      return null;
    });
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store " + location + " is closed");
    }
  }

  private static void closeIfPresent(Credential credential) {
    if (credential != null) {
      credential.close();
    }
  }

  /**
   * Decrypted contents, and the JSON of each credential as last read or written (secrets included),
   * so that a write encodes only what changed. Closing zeroes the data key, every credential's
   * secrets and every kept encoding.
   */
  private static final class Contents implements AutoCloseable {
    final StoreFileFormat.KeySection keys;
    final byte[] dataKey;
    final TreeMap<CredentialId, Credential> credentials;
    // Has exactly the credentials' ids, sorted alike: decode fills both, a Draft changes both.
    final TreeMap<CredentialId, byte[]> encoded;

    Contents(StoreFileFormat.KeySection keys, byte[] dataKey,
        TreeMap<CredentialId, Credential> credentials, TreeMap<CredentialId, byte[]> encoded) {
      this.keys = keys;
      this.dataKey = dataKey;
      this.credentials = credentials;
      this.encoded = encoded;
    }

    /** The payload JSON, of the kept encodings; the caller zeroes it. */
    byte[] payload() {
      if (encoded.size() != credentials.size()) {
        throw new IllegalStateException("kept encodings out of step with the credentials");
      }
      return PayloadCodec.join(encoded.values());
    }

    @Override
    public void close() {
      Arrays.fill(dataKey, (byte) 0);
      credentials.values().forEach(Credential::close);
      encoded.values().forEach(bytes -> Arrays.fill(bytes, (byte) 0));
      encoded.clear();
    }
  }

  /**
   * The credentials a modification works on, and their JSON, owned by it: a credential is encoded
   * when it is put, and a replaced or removed one is zeroed at once with its JSON. Records whether
   * anything changed, so an unchanged store is not rewritten.
   */
  private static final class Draft {
    final TreeMap<CredentialId, Credential> credentials;
    final TreeMap<CredentialId, byte[]> encoded;
    private boolean changed;

    Draft(TreeMap<CredentialId, Credential> credentials, TreeMap<CredentialId, byte[]> encoded) {
      this.credentials = credentials;
      this.encoded = encoded;
    }

    Credential get(CredentialId id) {
      return credentials.get(id);
    }

    boolean contains(CredentialId id) {
      return credentials.containsKey(id);
    }

    /** Adds or replaces; takes ownership of {@code credential}. */
    void put(Credential credential) {
      byte[] json = PayloadCodec.encodeEach(List.of(credential)).get(0);
      closeIfPresent(credentials.put(credential.id(), credential));
      zeroIfPresent(encoded.put(credential.id(), json));
      changed = true;
    }

    boolean remove(CredentialId id) {
      Credential gone = credentials.remove(id);
      closeIfPresent(gone);
      zeroIfPresent(encoded.remove(id));
      changed |= gone != null;
      return gone != null;
    }

    /** Zeroes everything, for a draft that never became a snapshot. */
    void discard() {
      credentials.values().forEach(Credential::close);
      encoded.values().forEach(json -> Arrays.fill(json, (byte) 0));
      encoded.clear();
    }

    private static void zeroIfPresent(byte[] json) {
      if (json != null) {
        Arrays.fill(json, (byte) 0);
      }
    }

    boolean changed() {
      return changed;
    }
  }

  /** Decrypted contents kept for reads, and the stamp of the file they came from. */
  private static final class Snapshot {
    final FileStamp stamp;
    final TreeMap<CredentialId, Credential> credentials;
    final Contents contents;

    Snapshot(FileStamp stamp, Contents contents) {
      this.stamp = stamp;
      this.contents = contents;
      this.credentials = contents.credentials;
    }
  }

  /**
   * What tells one version of the store file from another without reading it whole: identity
   * (device and inode where the platform has them), size, modification time and the trailing
   * SHA-256 checksum (format 1 ends every file with it).
   */
  private static final class FileStamp {
    final Object identity;
    final long size;
    final long modifiedNanos;
    final byte[] checksum;

    private FileStamp(Object identity, long size, long modifiedNanos, byte[] checksum) {
      this.identity = identity;
      this.size = size;
      this.modifiedNanos = modifiedNanos;
      this.checksum = checksum;
    }

    /** The stamp of {@code file} now; no checksum when the file is too short to hold one. */
    static FileStamp of(Path file) throws StorageException {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
          LinkOption.NOFOLLOW_LINKS)) {
        // Attributes after opening: a rename between the two only makes the stamp mismatch.
        BasicFileAttributes attributes =
            Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        long size = channel.size();
        byte[] tail = null;
        if (size >= StoreFileFormat.CHECKSUM_LENGTH) {
          ByteBuffer buffer = ByteBuffer.allocate(StoreFileFormat.CHECKSUM_LENGTH);
          long position = size - StoreFileFormat.CHECKSUM_LENGTH;
          while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
              return new FileStamp(attributes.fileKey(), size, -1, null);
            }
          }
          tail = buffer.array();
        }
        return new FileStamp(attributes.fileKey(), size,
            attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), tail);
      } catch (NoSuchFileException e) {
        return new FileStamp(null, -1, -1, null);
      } catch (IOException e) {
        throw PrivateFiles.storageError("cannot read " + file, e);
      }
    }

    /**
     * The stamp of {@code file} if it now holds {@code written} (same size, same trailing
     * checksum), else null: what we just renamed into place, unless something replaced it since.
     */
    static FileStamp ifHolds(Path file, byte[] written) throws StorageException {
      FileStamp now = of(file);
      return now.size == written.length && now.checksum != null
          && MessageDigest.isEqual(now.checksum, checksumOf(written)) ? now : null;
    }

    FileStamp withChecksum(byte[] decryptedFrom) {
      return new FileStamp(identity, size, modifiedNanos, decryptedFrom.clone());
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof FileStamp that
          && identity != null && identity.equals(that.identity)
          && size == that.size && modifiedNanos == that.modifiedNanos
          && checksum != null && that.checksum != null
          && MessageDigest.isEqual(checksum, that.checksum);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(size);
    }
  }
}
