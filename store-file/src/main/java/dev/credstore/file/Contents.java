package dev.credstore.file;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import dev.credstore.file.unlock.UnlockCache;
import dev.credstore.spi.PrivateFiles;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeMap;

/**
 * Decrypted contents, and the JSON of each credential as last read or written (secrets included),
 * so that a write encodes only what changed. Closing zeroes the data key, every credential's
 * secrets and every kept encoding.
 */
final class Contents implements AutoCloseable {
  // Both change with each write (a format 1.0 file is rewritten as 1.1): see written().
  StoreFileFormat.KeySection keys;
  WriteCount count;
  final byte[] dataKey;
  final TreeMap<CredentialId, Credential> credentials;
  // Has exactly the credentials' ids, sorted alike: decode fills both, a Draft changes both.
  final TreeMap<CredentialId, byte[]> encoded;

  Contents(StoreFileFormat.KeySection keys, WriteCount count, byte[] dataKey,
      TreeMap<CredentialId, Credential> credentials, TreeMap<CredentialId, byte[]> encoded) {
    this.keys = keys;
    this.count = count;
    this.dataKey = dataKey;
    this.credentials = credentials;
    this.encoded = encoded;
  }

  /**
   * The store file's bytes, or null if there is none; the file must be private and ours (the
   * toolkit's verdict) and no larger than any store.
   */
  static byte[] readFile(Path file) throws StorageException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    PrivateFiles.check(file).require();
    return PrivateFiles.readIfExists(file, StoreFileFormat.MAX_FILE_LENGTH);
  }

  /**
   * Verifies and decrypts a store file's bytes, unlocking its key through {@code keys}, and
   * refuses an older copy of the store than {@code counters} have seen; the key held by {@code
   * credstore unlock} is taken when {@code heldKeyAllowed}.
   */
  static Contents decrypt(byte[] bytes, String location, KeyCache keys, WriteCounters counters,
      boolean heldKeyAllowed) throws CredentialStoreException {
    UnlockCache.Opened held = heldKeyAllowed ? keys.openWithHeldKey(bytes) : null;
    StoreFileFormat.Parsed parsed;
    byte[] dataKey;
    byte[] payload;
    if (held != null) {
      // The agent has checked these very bytes as parse does, and decrypted them.
      parsed = StoreFileFormat.parseWithoutChecksum(bytes, location);
      dataKey = held.dataKey();
      payload = held.payload();
    } else {
      parsed = StoreFileFormat.parse(bytes, location);
      dataKey = keys.unlock(parsed.keys, heldKeyAllowed);
      payload = parsed.openPayload(dataKey);
    }
    if (payload == null && heldKeyAllowed) {
      // Perhaps a held key that does not open this file after all: fail closed to the passphrase.
      Arrays.fill(dataKey, (byte) 0);
      dataKey = keys.unlock(parsed.keys, false);
      payload = parsed.openPayload(dataKey);
    }
    if (payload == null) {
      Arrays.fill(dataKey, (byte) 0);
      throw new IntegrityException("store file " + location + " failed verification: its"
          + " contents were altered or damaged (the passphrase is correct)");
    }
    Contents contents;
    try {
      TreeMap<CredentialId, byte[]> objects = new TreeMap<>();
      WriteCount[] count = parsed.keys.isCurrent() ? new WriteCount[1] : null;
      TreeMap<CredentialId, Credential> credentials = PayloadCodec.decode(payload, objects, count);
      contents = new Contents(parsed.keys, count == null ? null : count[0], dataKey, credentials,
          objects);
    } catch (PayloadCodec.MalformedPayloadException e) {
      Arrays.fill(dataKey, (byte) 0);
      throw new IntegrityException("store file " + location + " holds a malformed payload: "
          + e.getMessage(), e);
    } finally {
      Arrays.fill(payload, (byte) 0);
    }
    try {
      counters.check(contents.count, location);
    } catch (CredentialStoreException | RuntimeException e) {
      contents.close();
      throw e;
    }
    return contents;
  }

  /** The count the next write of these contents carries. */
  WriteCount nextCount() {
    return count == null ? WriteCount.first() : count.next();
  }

  /**
   * Encrypts these contents under {@code section} (of the current version) and {@code dataKey}
   * as a whole format 1.1 store file counting {@code next}.
   */
  byte[] seal(StoreFileFormat.KeySection section, byte[] dataKey, WriteCount next) {
    if (encoded.size() != credentials.size()) {
      throw new IllegalStateException("kept encodings out of step with the credentials");
    }
    byte[] payload = PayloadCodec.join(encoded.values(), next);
    try {
      return StoreFileFormat.encode(section, dataKey, payload);
    } finally {
      Arrays.fill(payload, (byte) 0);
    }
  }

  /** Records that these contents are now on disk under {@code section}, counting {@code next}. */
  void written(StoreFileFormat.KeySection section, WriteCount next) {
    keys = section;
    count = next;
  }

  /** A draft working on these credentials and encodings (it changes them in place). */
  Draft draft() {
    return new Draft(credentials, encoded);
  }

  @Override
  public void close() {
    Arrays.fill(dataKey, (byte) 0);
    credentials.values().forEach(Credential::close);
    encoded.values().forEach(bytes -> Arrays.fill(bytes, (byte) 0));
    encoded.clear();
  }
}
