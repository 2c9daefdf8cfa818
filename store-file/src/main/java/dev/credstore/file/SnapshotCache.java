package dev.credstore.file;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.spi.PrivateFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The decrypted contents kept for reads (a {@link Snapshot}, zeroed by {@link #close()} or when
 * replaced), so that {@code get} and {@code list} on an open store cost a stat and a 32-byte read
 * instead of a full decrypt: the snapshot is used only while the file has the same {@link
 * FileStamp}. Any writer, here or in another process, replaces the file and so changes the stamp.
 * A forged file that kept it would only make us return what we had authenticated before.
 *
 * <p>Thread-safe: every method holds this cache's monitor (taken before the key cache's).
 */
final class SnapshotCache implements AutoCloseable {

  /** Decrypted contents kept for reads, and the stamp of the file they came from. */
  static final class Snapshot {
    final FileStamp stamp;
    final Contents contents;

    Snapshot(FileStamp stamp, Contents contents) {
      this.stamp = stamp;
      this.contents = contents;
    }
  }

  // Reads of a file that writers keep replacing before one is judged as it is.
  private static final int MAX_READS = 5;

  private final Path file;
  private final String location;
  private final KeyCache keys;
  private final WriteCounters counters;
  private Snapshot snapshot;
  private boolean closed;

  SnapshotCache(Path file, String location, KeyCache keys, WriteCounters counters) {
    this.file = file;
    this.location = location;
    this.keys = keys;
    this.counters = counters;
  }

  /** A copy of the stored credential (the caller closes it), or empty. */
  synchronized Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    Snapshot current = current();
    Credential found = current == null ? null : current.contents.credentials.get(id);
    // A copy: the caller closes it, and the snapshot's secrets must outlive that.
    return found == null ? Optional.empty() : Optional.of(found.toBuilder().build());
  }

  synchronized List<CredentialMetadata> list() throws CredentialStoreException {
    Snapshot current = current();
    List<CredentialMetadata> result = new ArrayList<>();
    if (current != null) {
      current.contents.credentials.values().forEach(c -> result.add(c.metadata()));
    }
    return result;
  }

  /**
   * Whether the kept snapshot still describes the file, which means this file's key is cached:
   * a write need not read the file whole to unlock it.
   */
  synchronized boolean isCurrent() throws StorageException {
    return snapshot != null && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
        && snapshot.stamp.equals(FileStamp.of(file));
  }

  /**
   * Under the write lock: the current snapshot, detached so that it belongs to the caller (a
   * concurrent get meanwhile reads the file rather than see a half-made change).
   */
  synchronized Snapshot take() throws CredentialStoreException {
    Snapshot current = current();
    snapshot = null;
    return current;
  }

  /** Makes {@code next} the snapshot (null: none), zeroing the one it replaces. */
  synchronized void install(Snapshot next) {
    if (closed && next != null) {
      next.contents.close(); // closed while we wrote: keep no plaintext
      next = null;
    }
    replace(next);
  }

  /** The kept snapshot's own secrets by id, not copies (empty if none is kept). For tests. */
  synchronized Map<CredentialId, Secret> keptSecrets() {
    Map<CredentialId, Secret> kept = new TreeMap<>();
    if (snapshot != null) {
      snapshot.contents.credentials.forEach((id, credential) -> kept.put(id, credential.secret()));
    }
    return kept;
  }

  /** The kept snapshot's own JSON of each credential, not copies (empty if none). For tests. */
  synchronized Map<CredentialId, byte[]> keptEncodings() {
    return snapshot == null ? Map.of() : new TreeMap<>(snapshot.contents.encoded);
  }

  @Override
  public synchronized void close() {
    closed = true;
    replace(null);
  }

  /**
   * The decrypted store as it is on disk now, or null if there is no file: the kept snapshot if
   * the file is unchanged, else a fresh read that becomes the snapshot.
   */
  private Snapshot current() throws CredentialStoreException {
    if (closed) {
      throw new IllegalStateException("store " + location + " is closed");
    }
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      replace(null);
      return null;
    }
    if (snapshot != null) {
      // A kept snapshot is only as private as the file now is; a fresh read is judged by readFile.
      PrivateFiles.check(file).require();
      if (snapshot.stamp.equals(FileStamp.of(file))) {
        return snapshot;
      }
    }
    replace(null);
    for (int attempt = 1; ; attempt++) {
      FileStamp before = FileStamp.of(file);
      byte[] bytes = Contents.readFile(file);
      if (bytes == null) {
        return null;
      }
      Contents contents;
      try {
        contents = Contents.decrypt(bytes, location, keys, counters, true);
      } catch (IntegrityException e) {
        // Reads take no lock: a write that lands between our read and the counter check makes
        // the bytes we read look older than the counter it recorded. Read again while the file
        // keeps changing; an older copy (or damage) that stays in place is refused.
        if (attempt < MAX_READS && FileStamp.ifHolds(file, bytes) == null) {
          continue;
        }
        throw e;
      }
      // Tied to the checksum of the bytes actually decrypted: if the file was replaced between
      // the stat and the read, the stamp cannot match the next time and the file is read again.
      replace(new Snapshot(before.withChecksumOf(bytes), contents));
      return snapshot;
    }
  }

  private void replace(Snapshot next) {
    if (snapshot != null && snapshot != next) {
      snapshot.contents.close();
    }
    snapshot = next;
  }
}
