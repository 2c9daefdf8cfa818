package dev.credstore.keychain;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPublicKeySpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Secret Service's encrypted transfer, {@code dh-ietf1024-sha256-aes128-cbc-pkcs7}:
 * Diffie-Hellman over RFC 2409's second Oakley group, HKDF-SHA256 (no salt, no info) of the shared secret to a
 * 128-bit key, and AES-128-CBC with PKCS#7 padding for each secret. Only the JDK's providers.
 *
 * <p>It keeps secrets off the bus in the clear (another process of the same user could otherwise
 * watch them with a bus monitor) and out of our message buffers. One instance per session; the key
 * is zeroed by {@link #close()}. Not thread-safe.
 */
final class SecretTransfer implements AutoCloseable {

  static final String ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

  // RFC 2409 section 6.2, the 1024-bit MODP group; generator 2.
  private static final BigInteger PRIME = new BigInteger(
      "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74"
          + "020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B302B0A6DF25F1437"
          + "4FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
          + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16);
  // A 256-bit private exponent: the 1024-bit group gives ~80-bit security, so a longer exponent adds
  // nothing but two cold modPows of ~20 ms each; 256 bits is what libgcrypt-style peers use.
  private static final DHParameterSpec GROUP = new DHParameterSpec(PRIME, BigInteger.TWO, 256);
  private static final int PRIME_BYTES = 128;
  private static final int KEY_BYTES = 16;

  private final KeyPair ours;
  private byte[] key;

  private SecretTransfer(KeyPair ours) {
    this.ours = ours;
  }

  /** Starts a session: makes our key pair; {@link #publicKey()} goes to {@code OpenSession}. */
  static SecretTransfer start() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("DH");
    generator.initialize(GROUP);
    return new SecretTransfer(generator.generateKeyPair());
  }

  /** Our public value, big-endian, padded to the prime's 128 bytes. */
  byte[] publicKey() {
    return fixedLength(((DHPublicKey) ours.getPublic()).getY());
  }

  /** Derives the session key from the service's public value ({@code OpenSession}'s output). */
  void agree(byte[] theirPublic) throws GeneralSecurityException {
    BigInteger y = new BigInteger(1, theirPublic);
    // Reject the degenerate values that would force a known shared secret.
    if (y.compareTo(BigInteger.ONE) <= 0 || y.compareTo(PRIME.subtract(BigInteger.ONE)) >= 0) {
      throw new GeneralSecurityException("the Secret Service sent an invalid public key");
    }
    PublicKey theirs = KeyFactory.getInstance("DH").generatePublic(
        new DHPublicKeySpec(y, PRIME, BigInteger.TWO));
    KeyAgreement agreement = KeyAgreement.getInstance("DH");
    agreement.init(ours.getPrivate());
    agreement.doPhase(theirs, true);
    byte[] raw = agreement.generateSecret();
    byte[] shared = fixedLength(new BigInteger(1, raw));
    Arrays.fill(raw, (byte) 0);
    try {
      key = hkdfSha256(shared, KEY_BYTES);
    } finally {
      Arrays.fill(shared, (byte) 0);
    }
  }

  /** Decrypts one secret's value; the caller zeroes the result. */
  byte[] decrypt(byte[] iv, byte[] ciphertext) throws GeneralSecurityException {
    if (key == null) {
      throw new IllegalStateException("no session key agreed");
    }
    Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
    SecretKeySpec spec = new SecretKeySpec(key, "AES");
    cipher.init(Cipher.DECRYPT_MODE, spec, new IvParameterSpec(iv));
    return cipher.doFinal(ciphertext);
  }

  @Override
  public void close() {
    if (key != null) {
      Arrays.fill(key, (byte) 0);
      key = null;
    }
  }

  /** RFC 5869 with an all-zero salt of hash length and empty info, as the Secret Service uses. */
  static byte[] hkdfSha256(byte[] ikm, int length) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
    byte[] prk = mac.doFinal(ikm);
    try {
      mac.init(new SecretKeySpec(prk, "HmacSHA256"));
      mac.update((byte) 1); // one block suffices: length <= 32
      byte[] okm = mac.doFinal();
      try {
        return Arrays.copyOf(okm, length);
      } finally {
        Arrays.fill(okm, (byte) 0);
      }
    } finally {
      Arrays.fill(prk, (byte) 0);
    }
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
