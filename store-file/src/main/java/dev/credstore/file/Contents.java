package dev.credstore.file;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
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

  /** Verifies and decrypts a store file's bytes, unlocking its key through {@code keys}. */
  static Contents decrypt(byte[] bytes, String location, KeyCache keys)
      throws CredentialStoreException {
    StoreFileFormat.Parsed parsed = StoreFileFormat.parse(bytes, location);
    byte[] dataKey = keys.unlock(parsed.keys);
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

  /** The payload JSON, of the kept encodings; the caller zeroes it. */
  byte[] payload() {
    if (encoded.size() != credentials.size()) {
      throw new IllegalStateException("kept encodings out of step with the credentials");
    }
    return PayloadCodec.join(encoded.values());
  }

  /** Encrypts these contents under {@code keys} and {@code dataKey} as a whole store file. */
  byte[] seal(StoreFileFormat.KeySection keys, byte[] dataKey) {
    byte[] payload = payload();
    try {
      return StoreFileFormat.encode(keys, dataKey, payload);
    } finally {
      Arrays.fill(payload, (byte) 0);
    }
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
