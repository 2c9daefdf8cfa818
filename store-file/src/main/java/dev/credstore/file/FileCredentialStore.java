package dev.credstore.file;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseProtectedStore;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.api.StoreDescription;
import dev.credstore.api.UnlockStatus;
import dev.credstore.file.unlock.UnlockCache;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The encrypted-file store: its operations and write path. Reads need no lock (writes replace the
 * file by atomic rename) and are served from the {@link SnapshotCache}; every read-modify-write
 * holds the {@link PrivateLock} on {@code <store>.lock}. The key-encryption key lives in the
 * {@link KeyCache}.
 *
 * <p>A write uses the snapshot too: under the lock, a snapshot that still matches the file is what
 * a re-read would decrypt, so the change is made to it and the file is only encrypted and written,
 * not read and decrypted first. After the write the snapshot is what was written, stamped from the
 * file then on disk (a forged file that matched the stamp would be replaced by authenticated
 * contents).
 *
 * <p>After {@link #unlockFor}, the data key is also held outside the process, by the user's unlock
 * agent ({@link StoreUnlock}), for this file's path and key section only: opening the store then
 * needs no passphrase in any process of that user. Changing the passphrase or the data key asks for
 * the passphrase itself, never a held key, and ends the unlock.
 */
final class FileCredentialStore implements PassphraseProtectedStore {

  static final int MIN_PASSPHRASE_LENGTH = 8;
  static final String SUMMARY = "encrypted file (Argon2id + AES-256-GCM, format 1.1)";

  private final Path file;
  private final Path lockFile;
  private final String location;
  private final KdfParameters newStoreKdf;
  private final Duration lockTimeout;
  private static final Map<String, String> NO_UNLOCK = Map.of(UnlockCache.SWITCH_VARIABLE, "off");

  private final StoreUnlock unlocked;
  private final KeyCache keys;
  private final WriteCounters counters;
  private final SnapshotCache snapshots;
  private volatile boolean closed;

  /** A store without the outside write counter or an unlock cache (for tests of other things). */
  FileCredentialStore(Path file, PassphraseSource passphrases, KdfParameters newStoreKdf,
      Duration lockTimeout) {
    this(file, passphrases, newStoreKdf, lockTimeout, null, NO_UNLOCK);
  }

  /** A store whose highest write counters are kept in {@code counterFile}, without unlock cache. */
  FileCredentialStore(Path file, PassphraseSource passphrases, KdfParameters newStoreKdf,
      Duration lockTimeout, Path counterFile) {
    this(file, passphrases, newStoreKdf, lockTimeout, counterFile, NO_UNLOCK);
  }

  /** A store with the unlock cache of the user whose {@code environment} this is (tests). */
  FileCredentialStore(Path file, PassphraseSource passphrases, KdfParameters newStoreKdf,
      Duration lockTimeout, Map<String, String> environment) {
    this(file, passphrases, newStoreKdf, lockTimeout, null, environment);
  }

  /**
   * A store whose highest write counters are kept in {@code counterFile} (see WriteCounters; null:
   * none), with the unlock cache of the user whose {@code environment} this is.
   */
  FileCredentialStore(Path file, PassphraseSource passphrases, KdfParameters newStoreKdf,
      Duration lockTimeout, Path counterFile, Map<String, String> environment) {
    this.file = file.toAbsolutePath().normalize();
    this.unlocked = new StoreUnlock(this.file, UnlockCache.forStore(this.file, environment));
    this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    this.location = this.file.toString();
    this.newStoreKdf = newStoreKdf;
    this.lockTimeout = lockTimeout;
    this.keys = new KeyCache(passphrases, location, unlocked);
    this.counters = new WriteCounters(counterFile, lockTimeout);
    this.snapshots = new SnapshotCache(this.file, location, keys, counters);
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    return snapshots.get(id);
  }

  @Override
  public List<CredentialMetadata> list() throws CredentialStoreException {
    return snapshots.list();
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
        // A new data key too: an old copy of the file (a backup, a CI cache) and the old
        // passphrase must not open what is written from now on.
        byte[] salt = Crypto.random(Crypto.SALT_BYTES);
        byte[] kek = KeyCache.derive(newPassphrase, salt, newStoreKdf);
        byte[] newDataKey = Crypto.random(Crypto.KEY_BYTES);
        try {
          StoreFileFormat.KeySection section =
              StoreFileFormat.KeySection.wrap(newStoreKdf, salt, kek, newDataKey);
          write(section, newDataKey, contents);
          keys.remember(section, kek);
        } finally {
          Arrays.fill(newDataKey, (byte) 0);
        }
      } finally {
        snapshots.install(null); // holds the old key section
      }
    });
    unlocked.forget(); // it no longer opens the store anyway: its key section is gone
  }

  @Override
  public void rotateDataKey() throws CredentialStoreException {
    withWriteLock(() -> {
      try (Contents contents = readExisting()) {
        byte[] newDataKey = Crypto.random(Crypto.KEY_BYTES);
        try {
          write(keys.rewrap(contents.keys, newDataKey), newDataKey, contents);
        } finally {
          Arrays.fill(newDataKey, (byte) 0);
        }
      } finally {
        snapshots.install(null); // holds the old data key
      }
    });
    unlocked.forget(); // it holds the old data key
  }

  @Override
  public Instant unlockFor(Duration duration) throws CredentialStoreException {
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("unlock duration must be positive");
    }
    String unavailable = unlocked.unavailableReason();
    if (unavailable != null) {
      throw new BackendUnavailableException("cannot unlock " + location + ": " + unavailable);
    }
    checkOpen();
    byte[] bytes = Contents.readFile(file);
    if (bytes == null) {
      throw new CredentialNotFoundException("there is no store at " + location
          + " yet; nothing to unlock (the first login creates it)");
    }
    // The passphrase itself, not an earlier unlock; and the file must be one we can read now.
    try (Contents contents = Contents.decrypt(bytes, location, keys, counters, false)) {
      if (!contents.keys.isCurrent()) {
        throw new BackendUnavailableException("cannot unlock " + location + ": it is in an older"
            + " format that the next write (e.g. a login) upgrades; unlock after that");
      }
      return unlocked.hold(contents.keys, contents.dataKey, duration);
    }
  }

  @Override
  public boolean lock() {
    return unlocked.forget();
  }

  @Override
  public UnlockStatus unlockStatus() {
    StoreFileFormat.KeySection section = null;
    try {
      byte[] bytes = Contents.readFile(file);
      if (bytes != null) {
        section = StoreFileFormat.parse(bytes, location).keys;
      }
    } catch (CredentialStoreException | RuntimeException unreadable) {
      section = null; // reads as "nothing held for this store"
    }
    return unlocked.status(section);
  }

  @Override
  public StoreDescription describe() {
    return new StoreDescription(FileStoreProvider.ID, SUMMARY, location);
  }

  @Override
  public void close() {
    closed = true;
    snapshots.close();
    keys.close();
  }

  /** The kept snapshot's own secrets by id, not copies (empty if none is kept). For tests. */
  Map<CredentialId, Secret> keptSecrets() {
    return snapshots.keptSecrets();
  }

  /** The kept snapshot's own JSON of each credential, not copies (empty if none). For tests. */
  Map<CredentialId, byte[]> keptEncodings() {
    return snapshots.keptEncodings();
  }

  @FunctionalInterface
  private interface LockedAction {
    void run() throws CredentialStoreException;
  }

  private void modify(Draft.Change modification) throws CredentialStoreException {
    // Derive the key before taking the lock, so that one process's Argon2id run never makes the
    // others wait; under the lock the cached key makes the re-read cheap.
    if (!warmKeyCache() && !Draft.changesAnEmptyStore(modification)) {
      return; // e.g. deleting from a store that does not exist: create nothing, not even a lock
    }
    withWriteLock(() -> {
      // Under the lock nobody else can write, so a snapshot whose stamp still matches the file is
      // exactly what a re-read would decrypt: change it instead of decrypting the file again.
      SnapshotCache.Snapshot base = snapshots.take();
      if (base == null) {
        createFrom(modification);
        return;
      }
      Draft draft = base.contents.draft();
      SnapshotCache.Snapshot next = null;
      try {
        modification.apply(draft);
        if (!draft.changed()) {
          next = base;
        } else {
          FileStamp written = write(base.contents.keys, base.contents.dataKey, base.contents);
          // The draft is now the file's contents; keep it only if the file is what we wrote.
          next = written == null ? null : new SnapshotCache.Snapshot(written, base.contents);
        }
      } catch (CredentialStoreException | RuntimeException e) {
        next = draft.changed() ? null : base; // e.g. a conflict: the snapshot still holds
        throw e;
      } finally {
        if (next == null) {
          base.contents.close();
        }
        snapshots.install(next);
      }
    });
  }

  private void createFrom(Draft.Change modification) throws CredentialStoreException {
    Draft fresh = Draft.empty();
    SnapshotCache.Snapshot created = null;
    try {
      modification.apply(fresh);
      if (fresh.changed()) {
        created = createStore(fresh);
      }
    } finally {
      if (created == null) {
        fresh.discard();
      }
      snapshots.install(created);
    }
  }

  /** Unlocks the store if it exists, caching the key; returns whether it exists. */
  private boolean warmKeyCache() throws CredentialStoreException {
    checkOpen();
    if (snapshots.isCurrent()) {
      return true;
    }
    byte[] bytes = Contents.readFile(file);
    if (bytes == null) {
      return false;
    }
    byte[] dataKey = keys.unlock(StoreFileFormat.parse(bytes, location).keys, true);
    Arrays.fill(dataKey, (byte) 0);
    return true;
  }

  /**
   * Creates the store file holding the draft's credentials. Returns its snapshot, which then owns
   * them, or null if the file could not be stamped.
   */
  private SnapshotCache.Snapshot createStore(Draft draft) throws CredentialStoreException {
    PrivateFiles.ensureDirectory(file.getParent());
    byte[] salt = Crypto.random(Crypto.SALT_BYTES);
    byte[] kek;
    try (Secret passphrase = keys.passphrase(PassphraseSource.Purpose.CREATE)) {
      checkNewPassphrase(passphrase);
      kek = KeyCache.derive(passphrase, salt, newStoreKdf);
    }
    byte[] dataKey = Crypto.random(Crypto.KEY_BYTES);
    StoreFileFormat.KeySection section =
        StoreFileFormat.KeySection.wrap(newStoreKdf, salt, kek, dataKey);
    Contents contents = new Contents(section, null, dataKey, draft.credentials, draft.encoded);
    SnapshotCache.Snapshot created = null;
    try {
      FileStamp written = write(section, dataKey, contents);
      keys.remember(section, kek);
      kek = null; // the key cache owns it now
      if (written != null) {
        created = new SnapshotCache.Snapshot(written, contents);
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
   * Encrypts and atomically replaces the file as format 1.1, one write further; records the count
   * outside the file. Returns the stamp of the file now on disk if it holds exactly the bytes
   * written (it always should: we hold the lock), else null.
   */
  private FileStamp write(StoreFileFormat.KeySection section, byte[] dataKey, Contents contents)
      throws CredentialStoreException {
    // A format 1.0 key section is bound to its version: wrap the key again for 1.1.
    StoreFileFormat.KeySection current = section.isCurrent() ? section
        : keys.rewrap(section, dataKey);
    WriteCount next = contents.nextCount();
    byte[] bytes = contents.seal(current, dataKey, next);
    PrivateFiles.replace(file, bytes);
    contents.written(current, next);
    counters.record(next);
    try {
      return FileStamp.ifHolds(file, bytes);
    } catch (StorageException e) {
      return null; // the write itself is done and durable; only the snapshot is lost
    }
  }

  /** The decrypted store, opened with the passphrase (or this process's KEK), never a held key. */
  private Contents readExisting() throws CredentialStoreException {
    checkOpen();
    byte[] bytes = Contents.readFile(file);
    if (bytes == null) {
      throw new CredentialNotFoundException("there is no store at " + location + " yet");
    }
    return Contents.decrypt(bytes, location, keys, counters, false);
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
}
