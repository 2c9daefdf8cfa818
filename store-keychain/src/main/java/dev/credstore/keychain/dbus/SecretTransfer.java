package dev.credstore.keychain.dbus;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.agreement.DHBasicAgreement;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.generators.DHKeyPairGenerator;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.paddings.PKCS7Padding;
import org.bouncycastle.crypto.paddings.PaddedBufferedBlockCipher;
import org.bouncycastle.crypto.params.DHKeyGenerationParameters;
import org.bouncycastle.crypto.params.DHParameters;
import org.bouncycastle.crypto.params.DHPublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The Secret Service's encrypted transfer, {@code dh-ietf1024-sha256-aes128-cbc-pkcs7}:
 * Diffie-Hellman over RFC 2409's second Oakley group, HKDF-SHA256 (no salt, no info) of the shared
 * secret to a 128-bit key, and AES-128-CBC with PKCS#7 padding for each secret.
 *
 * <p>Bouncy Castle's low-level API rather than the JDK's providers: a cold JVM spends ~50 ms
 * looking up and initialising {@code KeyPairGenerator}, {@code KeyAgreement}, {@code Mac} and
 * {@code Cipher} providers, on every {@code credstore get} (bench/README.md).
 *
 * <p>It keeps secrets off the bus in the clear (another process of the same user could otherwise
 * watch them with a bus monitor) and out of our message buffers. One instance per session; the key
 * is zeroed by {@link #close()}. Not thread-safe.
 */
final class SecretTransfer implements AutoCloseable {

  static final String ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

  // RFC 2409 section 6.2, the 1024-bit MODP group; generator 2.
  private static final BigInteger PRIME = new BigInteger(1, HexFormat.of().parseHex(
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
          + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
          + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
          + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF"));
  // A 256-bit private exponent: the 1024-bit group gives ~80-bit security, so a longer exponent adds
  // nothing but two cold modPows of ~20 ms each; 256 bits is what libgcrypt-style peers use.
  private static final DHParameters GROUP = new DHParameters(PRIME, BigInteger.TWO, null, 256);
  private static final int PRIME_BYTES = 128;
  private static final int KEY_BYTES = 16;

  private final AsymmetricCipherKeyPair ours;
  private byte[] key;

  private SecretTransfer(AsymmetricCipherKeyPair ours) {
    this.ours = ours;
  }

  /** Starts a session: makes our key pair; {@link #publicKey()} goes to {@code OpenSession}. */
  static SecretTransfer start() {
    DHKeyPairGenerator generator = new DHKeyPairGenerator();
    generator.init(new DHKeyGenerationParameters(new SecureRandom(), GROUP));
    return new SecretTransfer(generator.generateKeyPair());
  }

  /** Our public value, big-endian, padded to the prime's 128 bytes. */
  byte[] publicKey() {
    return fixedLength(((DHPublicKeyParameters) ours.getPublic()).getY());
  }

  /** Derives the session key from the service's public value ({@code OpenSession}'s output). */
  void agree(byte[] theirPublic) throws GeneralSecurityException {
    BigInteger y = new BigInteger(1, theirPublic);
    // Reject the degenerate values that would force a known shared secret.
    if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(PRIME.subtract(BigInteger.ONE)) >= 0) {
      throw new GeneralSecurityException("the Secret Service sent an invalid public key");
    }
    DHBasicAgreement agreement = new DHBasicAgreement();
    agreement.init(ours.getPrivate());
    byte[] shared;
    try {
      shared = fixedLength(agreement.calculateAgreement(new DHPublicKeyParameters(y, GROUP)));
    } catch (IllegalArgumentException e) {
      throw new GeneralSecurityException("the Secret Service sent an invalid public key", e);
    }
    try {
      key = hkdfSha256(shared, KEY_BYTES);
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
  }

  /** Decrypts one secret's value; the caller zeroes the result. */
  byte[] decrypt(byte[] iv, byte[] ciphertext) throws GeneralSecurityException {
    if (iv.length != 16) {
      throw new GeneralSecurityException("the Secret Service sent a " + iv.length
          + "-byte IV; AES-CBC needs 16");
    }
    PaddedBufferedBlockCipher cipher = cbc(false, iv);
    byte[] buffer = new byte[cipher.getOutputSize(ciphertext.length)];
    try {
      int length = cipher.processBytes(ciphertext, 0, ciphertext.length, buffer, 0);
      length += cipher.doFinal(buffer, length);
      return Arrays.copyOf(buffer, length);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new GeneralSecurityException("the Secret Service sent a secret that does not decrypt"
          + " with the session key", e);
    } finally {
      Arrays.fill(buffer, (byte) 0);
    }
  }

  /** Encrypts one secret for {@code CreateItem}: what {@link #decrypt} undoes. */
  byte[] encrypt(byte[] iv, byte[] plaintext) {
    PaddedBufferedBlockCipher cipher = cbc(true, iv);
    byte[] out = new byte[cipher.getOutputSize(plaintext.length)];
    int length = cipher.processBytes(plaintext, 0, plaintext.length, out, 0);
    try {
      length += cipher.doFinal(out, length);
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("encryption cannot fail on padding", e);
    }
    return Arrays.copyOf(out, length);
  }

  /** AES-128-CBC with PKCS#7 padding under the session key. */
  private PaddedBufferedBlockCipher cbc(boolean forEncryption, byte[] iv) {
    if (key == null) {
      throw new IllegalStateException("no session key agreed");
    }
    PaddedBufferedBlockCipher cipher = new PaddedBufferedBlockCipher(
        CBCBlockCipher.newInstance(AESEngine.newInstance()), new PKCS7Padding());
    cipher.init(forEncryption, new ParametersWithIV(new KeyParameter(key), iv));
    return cipher;
  }

  @Override
  public void close() {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
      key = null;
    }
  }

  /** RFC 5869 with an all-zero salt of hash length and empty info, as the Secret Service uses. */
  static byte[] hkdfSha256(byte[] ikm, int length) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(ikm, new byte[32], null));
    byte[] okm = new byte[length];
    hkdf.generateBytes(okm, 0, length);
    return okm;
  }

  private static byte[] fixedLength(BigInteger value) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[PRIME_BYTES];
    int copy = Math.min(bytes.length, PRIME_BYTES);
    System.arraycopy(bytes, bytes.length - copy, out, PRIME_BYTES - copy, copy);
    Arrays.fill(bytes, (byte) 0);
    return out;
  }
}
