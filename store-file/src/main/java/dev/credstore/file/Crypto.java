package dev.credstore.file;

import dev.credstore.api.StorageException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The store's primitives: Argon2id from Bouncy Castle's low-level API (no JCA provider, so no
 * signed-jar verification on the hot path) and AES-256-GCM from the JDK, whose intrinsics are far
 * faster than Bouncy Castle's table-based AES.
 */
final class Crypto {

  static final int KEY_BYTES = 32;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int SALT_BYTES = 16;


  private static final AtomicBoolean PREPARED = new AtomicBoolean();

  private Crypto() {}

  /**
   * Starts loading, on a daemon thread and once per JVM, the JDK crypto that reading a store needs
   * after its key derivation: the AES-GCM provider and the payload decoder, ~25 ms in a cold JVM.
   * The derivation keeps one core busy for a fifth of a second; this uses another. Works on
   * throw-away zero keys and an empty payload; nothing secret is involved.
   */
  private static void prepareInBackground() {
    if (PREPARED.getAndSet(true)) {
      return;
    }
    Thread thread = new Thread(() -> {
      try {
        gcm(Cipher.ENCRYPT_MODE, new byte[KEY_BYTES], new byte[NONCE_BYTES]).doFinal();
        PayloadCodec.decode(PayloadCodec.encode(List.of()));
      } catch (GeneralSecurityException | PayloadCodec.MalformedPayloadException
          | RuntimeException e) {
        // Only a head start: the real call meets and reports the same problem.
      }
    }, "credstore-crypto-prepare");
    thread.setDaemon(true);
    thread.start();
  }

  static byte[] random(int length) {
    byte[] bytes = new byte[length];
    Randomness.SOURCE.nextBytes(bytes);
    return bytes;
  }

  // Made at the first write: a read needs no randomness, and a SecureRandom's set-up (~10 ms in a
  // cold JVM) would otherwise sit on every get's path.
  private static final class Randomness {
    static final SecureRandom SOURCE = new SecureRandom();
  }

  /**
   * Derives the key-encryption key; the caller zeroes the result.
   *
   * @throws StorageException if this JVM cannot give the memory the parameters need (checked
   *     before deriving, so a maximal cost on a small heap is a clean error, not an
   *     OutOfMemoryError)
   */
  static byte[] deriveKey(char[] passphrase, byte[] salt, KdfParameters parameters)
      throws StorageException {
    if (!parameters.withinBounds()) {
      throw new IllegalArgumentException("KDF parameters out of bounds: " + parameters);
    }
    KdfMemory.require(parameters);
    prepareInBackground();
    Argon2Parameters argon2 = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
        .withVersion(Argon2Parameters.ARGON2_VERSION_13)
        .withSalt(salt)
        .withMemoryAsKB(parameters.memoryKib())
        .withIterations(parameters.iterations())
        .withParallelism(parameters.parallelism())
        .build();
    // Encode ourselves so the UTF-8 copy of the passphrase can be zeroed.
    byte[] password = utf8(passphrase);
    byte[] key = new byte[KEY_BYTES];
    try {
      Argon2BytesGenerator generator = new Argon2BytesGenerator();
      generator.init(argon2);
      generator.generateBytes(password, key);
      return key;
    } catch (OutOfMemoryError e) {
      // The estimate was too kind (another thread took the heap meanwhile): the blocks allocated
      // so far are garbage now, so this is recoverable.
      throw KdfMemory.notEnough(parameters, e);
    } finally {
      Arrays.fill(password, (byte) 0);
    }
  }

  static byte[] seal(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) {
    byte[] out = new byte[plaintext.length + TAG_BYTES];
    sealInto(key, nonce, aad, plaintext, out, 0);
    return out;
  }

  // A multiple of the AES block size, so each update writes exactly what it was given.
  static final int SEAL_CHUNK = 4096;

  /**
   * Encrypts {@code plaintext} into {@code out} at {@code offset}, which must have room for it and
   * the tag. Fed to the cipher in pieces: the JDK swaps in its CLMUL GHASH only where the calling
   * method is compiled, which takes a few hundred calls, and one doFinal over a large payload is a
   * handful of calls that would all run the Java GHASH (measured ~20x slower). The ciphertext is the
   * same as from one doFinal.
   */
  static void sealInto(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext, byte[] out,
      int offset) {
    try {
      Cipher cipher = gcm(Cipher.ENCRYPT_MODE, key, nonce);
      cipher.updateAAD(aad);
      int done = 0;
      int written = 0;
      while (plaintext.length - done > SEAL_CHUNK) {
        written += cipher.update(plaintext, done, SEAL_CHUNK, out, offset + written);
        done += SEAL_CHUNK;
      }
      cipher.doFinal(plaintext, done, plaintext.length - done, out, offset + written);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM failed: " + e.getMessage(), e);
    }
  }

  /**
   * Decrypts and verifies; returns null when the tag does not verify (wrong key or altered data).
   * The caller zeroes the result.
   */
  static byte[] open(byte[] key, byte[] nonce, byte[] aad, byte[] ciphertext) {
    try {
      Cipher cipher = gcm(Cipher.DECRYPT_MODE, key, nonce);
      cipher.updateAAD(aad);
      return cipher.doFinal(ciphertext);
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is unavailable in this JDK", e);
    }
  }

  private static Cipher gcm(int mode, byte[] key, byte[] nonce) throws GeneralSecurityException {
    Cipher cipher;
    try {
      // Named, because a transformation lookup loads every installed provider (XML signature,
      // SASL, smart cards...) to collect candidates: ~10 ms of a cold get. SunJCE has it on every
      // OpenJDK build; a JDK configured without it (some FIPS set-ups) gets the general lookup.
      cipher = Cipher.getInstance("AES/GCM/NoPadding", "SunJCE");
    } catch (NoSuchProviderException e) {
      cipher = Cipher.getInstance("AES/GCM/NoPadding");
    }
    cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
    return cipher;
  }

  static byte[] utf8(char[] chars) {
    java.nio.ByteBuffer encoded = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
    byte[] backing = encoded.array();
    try {
      return Arrays.copyOfRange(backing, encoded.position(), encoded.limit());
    } finally {
      Arrays.fill(backing, (byte) 0);
    }
  }
}
