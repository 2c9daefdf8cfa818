package dev.credstore.file;

import dev.credstore.api.IntegrityException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Format 1 of the store file, byte by byte (see FORMAT.md), in its two revisions: version field
 * 1 (format 1.0) and 2 (format 1.1, whose payload also holds the store's id and write counter; the
 * layout is the same). New files are 1.1; 1.0 files are read and rewritten as 1.1. All integers
 * are big-endian.
 *
 * <pre>
 * offset size  field
 *      0    8  magic 89 43 53 54 4F 52 45 0A ("\x89CSTORE\n")
 *      8    2  format version = 2 (format 1.1) or 1 (format 1.0)
 *     10    1  KDF id = 1 (Argon2id, version 0x13)
 *     11    4  KDF memory in KiB
 *     15    4  KDF iterations
 *     19    1  KDF parallelism
 *     20    1  salt length = 16
 *     21   16  salt
 *     37    1  cipher id = 1 (AES-256-GCM)
 *     38   12  key-wrap nonce
 *     50   48  wrapped data key: AES-GCM(KEK, nonce, aad = bytes 0..38, data key) incl. 16-byte tag
 *     98   12  payload nonce
 *    110    4  payload ciphertext length N (including the 16-byte tag)
 *    114    N  payload: AES-GCM(data key, nonce, aad = bytes 0..114, JSON)
 *  114+N   32  SHA-256 of bytes 0..114+N
 * </pre>
 *
 * <p>The trailing checksum is not a security measure (anyone can recompute it); it tells
 * accidental damage apart from a wrong passphrase before any key is derived. Authenticity comes
 * from the two GCM tags: the wrapped key binds the KDF section, the payload binds the whole header.
 */
final class StoreFileFormat {

  static final byte[] MAGIC = {(byte) 0x89, 'C', 'S', 'T', 'O', 'R', 'E', '\n'};
  /** Format 1.0: the payload holds the credentials only. */
  static final int VERSION_1_0 = 1;
  /** Format 1.1: the payload also holds the store's id and write counter. What is written. */
  static final int VERSION = 2;
  static final byte KDF_ARGON2ID = 1;
  static final byte CIPHER_AES_256_GCM = 1;

  static final int KDF_SECTION_LENGTH = 38;
  static final int WRAPPED_KEY_LENGTH = Crypto.KEY_BYTES + Crypto.TAG_BYTES;
  static final int HEADER_LENGTH = KDF_SECTION_LENGTH + Crypto.NONCE_BYTES + WRAPPED_KEY_LENGTH
      + Crypto.NONCE_BYTES + 4;
  static final int CHECKSUM_LENGTH = 32;
  /** Largest store file credstore reads; far above any real use, small enough to never hurt. */
  static final int MAX_FILE_LENGTH = 16 * 1024 * 1024;

  private StoreFileFormat() {}

  /**
   * The part of a store that depends only on the passphrase: KDF parameters, salt, and the data key
   * wrapped under the key-encryption key. Not secret.
   */
  static final class KeySection {
    final int version;
    final KdfParameters kdf;
    private final byte[] salt;
    private final byte[] wrapNonce;
    private final byte[] wrappedKey;

    KeySection(int version, KdfParameters kdf, byte[] salt, byte[] wrapNonce, byte[] wrappedKey) {
      this.version = version;
      this.kdf = kdf;
      this.salt = salt.clone();
      this.wrapNonce = wrapNonce.clone();
      this.wrappedKey = wrappedKey.clone();
    }

    byte[] salt() {
      return salt.clone();
    }

    /** Bytes 0..38: what the wrapped key is bound to. */
    byte[] kdfSection() {
      ByteBuffer buffer = ByteBuffer.allocate(KDF_SECTION_LENGTH);
      buffer.put(MAGIC).putShort((short) version).put(KDF_ARGON2ID)
          .putInt(kdf.memoryKib()).putInt(kdf.iterations()).put((byte) kdf.parallelism())
          .put((byte) salt.length).put(salt).put(CIPHER_AES_256_GCM);
      return buffer.array();
    }

    /** The whole section (KDF section, wrap nonce, wrapped key): what an unlock is bound to. */
    byte[] identity() {
      return ByteBuffer.allocate(KDF_SECTION_LENGTH + wrapNonce.length + wrappedKey.length)
          .put(kdfSection()).put(wrapNonce).put(wrappedKey).array();
    }

    boolean sameKdfAs(KeySection other) {
      return kdf.equals(other.kdf) && Arrays.equals(salt, other.salt);
    }

    /** Whether this section is of the version written now. */
    boolean isCurrent() {
      return version == VERSION;
    }

    /** Wraps {@code dataKey} under {@code kek} with a fresh nonce, in the current version. */
    static KeySection wrap(KdfParameters kdf, byte[] salt, byte[] kek, byte[] dataKey) {
      byte[] nonce = Crypto.random(Crypto.NONCE_BYTES);
      KeySection unsealed =
          new KeySection(VERSION, kdf, salt, nonce, new byte[WRAPPED_KEY_LENGTH]);
      byte[] wrapped = Crypto.seal(kek, nonce, unsealed.kdfSection(), dataKey);
      return new KeySection(VERSION, kdf, salt, nonce, wrapped);
    }

    /** The data key, or null if {@code kek} is wrong or the section was altered. */
    byte[] unwrap(byte[] kek) {
      return Crypto.open(kek, wrapNonce, kdfSection(), wrappedKey);
    }
  }

  /** A parsed file whose checksum, magic, version, ids and bounds have been checked. */
  static final class Parsed {
    final KeySection keys;
    private final byte[] header;
    private final byte[] payloadNonce;
    private final byte[] ciphertext;

    private Parsed(KeySection keys, byte[] header, byte[] payloadNonce, byte[] ciphertext) {
      this.keys = keys;
      this.header = header;
      this.payloadNonce = payloadNonce;
      this.ciphertext = ciphertext;
    }

    /** The payload JSON, or null if it does not verify under {@code dataKey}. */
    byte[] openPayload(byte[] dataKey) {
      return Crypto.open(dataKey, payloadNonce, header, ciphertext);
    }
  }

  /**
   * Serialises a store in the version of {@code keys}: encrypts {@code payload} (which must be of
   * that version) under {@code dataKey} with a fresh nonce.
   */
  static byte[] encode(KeySection keys, byte[] dataKey, byte[] payload) {
    byte[] payloadNonce = Crypto.random(Crypto.NONCE_BYTES);
    int ciphertextLength = payload.length + Crypto.TAG_BYTES;
    ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
    header.put(keys.kdfSection()).put(keys.wrapNonce).put(keys.wrappedKey).put(payloadNonce)
        .putInt(ciphertextLength);
    byte[] headerBytes = header.array();
    // One array for the whole file: the payload is encrypted straight into it.
    byte[] file = new byte[HEADER_LENGTH + ciphertextLength + CHECKSUM_LENGTH];
    System.arraycopy(headerBytes, 0, file, 0, HEADER_LENGTH);
    Crypto.sealInto(dataKey, payloadNonce, headerBytes, payload, file, HEADER_LENGTH);
    int body = HEADER_LENGTH + ciphertextLength;
    System.arraycopy(sha256(file, body), 0, file, body, CHECKSUM_LENGTH);
    return file;
  }

  /**
   * Checks and splits a store file without deriving any key.
   *
   * @throws IntegrityException naming what is wrong: empty, foreign, truncated, damaged, a newer
   *     format, or KDF parameters outside the accepted bounds
   */
  static Parsed parse(byte[] file, String location) throws IntegrityException {
    return parse(file, location, true);
  }

  /**
   * {@link #parse} for bytes whose checksum has been verified already (by the unlock agent that
   * decrypted them): the same checks but the checksum, which needs the JDK's SHA-256.
   */
  static Parsed parseWithoutChecksum(byte[] file, String location) throws IntegrityException {
    return parse(file, location, false);
  }

  private static Parsed parse(byte[] file, String location, boolean verifyChecksum)
      throws IntegrityException {
    if (file.length == 0) {
      throw new IntegrityException("store file " + location + " is empty");
    }
    if (file.length < MAGIC.length
        || !Arrays.equals(Arrays.copyOf(file, MAGIC.length), MAGIC)) {
      throw new IntegrityException("store file " + location + " is not a credstore store file");
    }
    if (file.length < HEADER_LENGTH + Crypto.TAG_BYTES + CHECKSUM_LENGTH) {
      throw new IntegrityException("store file " + location + " is truncated ("
          + file.length + " bytes)");
    }
    int body = file.length - CHECKSUM_LENGTH;
    if (verifyChecksum
        && !MessageDigest.isEqual(sha256(file, body), Arrays.copyOfRange(file, body, file.length))) {
      throw new IntegrityException("store file " + location
          + " is damaged: checksum mismatch (truncated, altered or corrupted)");
    }
    ByteBuffer in = ByteBuffer.wrap(file);
    in.position(MAGIC.length);
    int version = Short.toUnsignedInt(in.getShort());
    if (version != VERSION && version != VERSION_1_0) {
      throw new IntegrityException("store file " + location + " has format version " + version
          + "; this credstore reads versions " + VERSION_1_0 + " and " + VERSION
          + " (written by a newer credstore?)");
    }
    byte kdfId = in.get();
    KdfParameters kdf = new KdfParameters(in.getInt(), in.getInt(), Byte.toUnsignedInt(in.get()));
    int saltLength = Byte.toUnsignedInt(in.get());
    if (kdfId != KDF_ARGON2ID || saltLength != Crypto.SALT_BYTES) {
      throw new IntegrityException("store file " + location + " names an unknown key derivation");
    }
    if (!kdf.withinBounds()) {
      throw new IntegrityException("store file " + location + " asks for " + kdf
          + ", outside the accepted bounds; refusing to derive a key");
    }
    byte[] salt = take(in, Crypto.SALT_BYTES);
    if (in.get() != CIPHER_AES_256_GCM) {
      throw new IntegrityException("store file " + location + " names an unknown cipher");
    }
    byte[] wrapNonce = take(in, Crypto.NONCE_BYTES);
    byte[] wrappedKey = take(in, WRAPPED_KEY_LENGTH);
    byte[] payloadNonce = take(in, Crypto.NONCE_BYTES);
    int ciphertextLength = in.getInt();
    if (ciphertextLength != body - HEADER_LENGTH) {
      throw new IntegrityException("store file " + location + " has an inconsistent length");
    }
    byte[] ciphertext = take(in, ciphertextLength);
    return new Parsed(new KeySection(version, kdf, salt, wrapNonce, wrappedKey),
        Arrays.copyOf(file, HEADER_LENGTH), payloadNonce, ciphertext);
  }

  private static byte[] take(ByteBuffer in, int length) {
    byte[] bytes = new byte[length];
    in.get(bytes);
    return bytes;
  }

  static byte[] sha256(byte[] bytes, int length) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(bytes, 0, length);
      return digest.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is unavailable in this JDK", e);
    }
  }
}
