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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

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
 */
final class FileCredentialStore implements PassphraseProtectedStore {

  static final int MIN_PASSPHRASE_LENGTH = 8;
  static final String SUMMARY = "encrypted file (Argon2id + AES-256-GCM, format "
      + StoreFileFormat.VERSION + ")";

  private static final ConcurrentHashMap<Path, ReentrantLock> PROCESS_LOCKS =
      new ConcurrentHashMap<>();

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
    modify(credentials -> {
      if (credentials.containsKey(credential.id())) {
        throw new CredentialConflictException("credential " + credential.id() + " already exists");
      }
      credentials.put(credential.id(), credential.toBuilder().build());
      return true;
    });
  }

  @Override
  public void put(Credential credential) throws CredentialStoreException {
    modify(credentials -> {
      closeIfPresent(credentials.put(credential.id(), credential.toBuilder().build()));
      return true;
    });
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    modify(credentials -> {
      Credential current = credentials.get(replacement.id());
      if (current == null) {
        throw new CredentialNotFoundException("no credential " + replacement.id());
      }
      if (!current.secret().sameAs(expectedSecret)) {
        throw new CredentialConflictException("credential " + replacement.id()
            + " changed since it was read; nothing was replaced");
      }
      current.close();
      credentials.put(replacement.id(), replacement.toBuilder().build());
      return true;
    });
  }

  @Override
  public boolean delete(CredentialId id) throws CredentialStoreException {
    boolean[] removed = {false};
    modify(credentials -> {
      Credential gone = credentials.remove(id);
      closeIfPresent(gone);
      removed[0] = gone != null;
      return removed[0];
    });
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
        write(keys, contents.dataKey, contents.credentials);
        remember(keys, kek);
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
          write(keys, newDataKey, contents.credentials);
        } finally {
          Arrays.fill(newDataKey, (byte) 0);
        }
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

  /** What a modification does to the decrypted credentials; returns whether anything changed. */
  @FunctionalInterface
  private interface Modification {
    boolean apply(TreeMap<CredentialId, Credential> credentials) throws CredentialStoreException;
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
      try (Contents contents = read()) {
        if (contents != null) {
          if (modification.apply(contents.credentials)) {
            write(contents.keys, contents.dataKey, contents.credentials);
          }
          return;
        }
        TreeMap<CredentialId, Credential> fresh = new TreeMap<>();
        try {
          if (modification.apply(fresh)) {
            createStore(fresh);
          }
        } finally {
          fresh.values().forEach(Credential::close);
        }
      }
    });
  }

  /** Unlocks the store if it exists, caching the key; returns whether it exists. */
  private boolean warmKeyCache() throws CredentialStoreException {
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
    TreeMap<CredentialId, Credential> empty = new TreeMap<>();
    try {
      return modification.apply(empty);
    } finally {
      empty.values().forEach(Credential::close);
    }
  }

  private void createStore(TreeMap<CredentialId, Credential> credentials)
      throws CredentialStoreException {
    SecureFiles.ensurePrivateDirectory(file.getParent());
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
    try {
      StoreFileFormat.KeySection keys =
          StoreFileFormat.KeySection.wrap(newStoreKdf, salt, kek, dataKey);
      write(keys, dataKey, credentials);
      remember(keys, kek);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  private void write(StoreFileFormat.KeySection keys, byte[] dataKey,
      TreeMap<CredentialId, Credential> credentials) throws StorageException {
    byte[] payload = PayloadCodec.encode(credentials.values());
    try {
      SecureFiles.writeAtomically(file, StoreFileFormat.encode(keys, dataKey, payload));
    } finally {
      Arrays.fill(payload, (byte) 0);
      synchronized (snapshotLock) {
        replaceSnapshot(null);
      }
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
    SecureFiles.checkPrivateFile(file);
    SecureFiles.checkDirectory(file.getParent());
    if (snapshot != null && snapshot.stamp.equals(FileStamp.of(file))) {
      return snapshot;
    }
    replaceSnapshot(null);
    FileStamp before = FileStamp.of(file);
    Contents contents = read();
    if (contents == null) {
      return null;
    }
    // Tied to the checksum of the bytes actually decrypted: if the file was replaced between the
    // stat and the read, the stamp cannot match the next time and the file is read again.
    replaceSnapshot(new Snapshot(before.withChecksum(contents.checksum), contents));
    return snapshot;
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
    if (bytes == null) {
      return null;
    }
    StoreFileFormat.Parsed parsed = StoreFileFormat.parse(bytes, location);
    byte[] dataKey = unlock(parsed.keys);
    byte[] payload = parsed.openPayload(dataKey);
    if (payload == null) {
      Arrays.fill(dataKey, (byte) 0);
      throw new IntegrityException("store file " + location + " failed verification: its"
          + " contents were altered or damaged (the passphrase is correct)");
    }
    try {
      return new Contents(parsed.keys, dataKey, PayloadCodec.decode(payload),
          Arrays.copyOfRange(bytes, bytes.length - StoreFileFormat.CHECKSUM_LENGTH, bytes.length));
    } catch (PayloadCodec.MalformedPayloadException e) {
      Arrays.fill(dataKey, (byte) 0);
      throw new IntegrityException("store file " + location + " holds a malformed payload: "
          + e.getMessage(), e);
    } finally {
      Arrays.fill(payload, (byte) 0);
    }
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
    SecureFiles.checkPrivateFile(file);
    SecureFiles.checkDirectory(file.getParent());
    return SecureFiles.readIfExists(file, StoreFileFormat.MAX_FILE_LENGTH);
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
    SecureFiles.ensurePrivateDirectory(file.getParent());
    SecureFiles.ensurePrivateFile(lockFile);
    ReentrantLock threadLock = PROCESS_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    long deadline = System.nanoTime() + lockTimeout.toNanos();
    try {
      if (!threadLock.tryLock(lockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw lockTimedOut();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for the lock on " + lockFile, e);
    }
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS)) {
      FileLock lock = acquire(channel, deadline);
      try {
        SecureFiles.removeStaleTemporaryFiles(file);
        action.run();
      } finally {
        lock.release();
      }
    } catch (IOException e) {
      throw SecureFiles.storageError("cannot lock " + lockFile, e);
    } finally {
      threadLock.unlock();
    }
  }

  // Polls rather than blocking in FileChannel.lock, so a stuck process holding the lock turns into
  // a clear error instead of a hang.
  private FileLock acquire(FileChannel channel, long deadline)
      throws IOException, StorageException {
    long pause = 1;
    while (true) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw lockTimedOut();
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while waiting for the lock on " + lockFile, e);
      }
      // Short pauses: under contention a long one would leave the lock idle between holders.
      pause = Math.min(pause * 2, 4);
    }
  }

  private StorageException lockTimedOut() {
    return new StorageException("another process has held the lock on " + lockFile + " for more"
        + " than " + lockTimeout.toSeconds() + " s; is a credstore command stuck?");
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

  /** Decrypted contents; closing zeroes the data key and every credential's secrets. */
  private static final class Contents implements AutoCloseable {
    final StoreFileFormat.KeySection keys;
    final byte[] dataKey;
    final TreeMap<CredentialId, Credential> credentials;
    final byte[] checksum;

    Contents(StoreFileFormat.KeySection keys, byte[] dataKey,
        TreeMap<CredentialId, Credential> credentials, byte[] checksum) {
      this.keys = keys;
      this.dataKey = dataKey;
      this.credentials = credentials;
      this.checksum = checksum;
    }

    @Override
    public void close() {
      Arrays.fill(dataKey, (byte) 0);
      credentials.values().forEach(Credential::close);
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
        throw SecureFiles.storageError("cannot read " + file, e);
      }
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
