package dev.credstore.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A secret value (token, API secret, passphrase) held in a private {@code char[]}.
 *
 * <p>Every factory copies its input and every reveal returns a fresh copy, so the caller owns (and
 * should zero) what it passed in and what it got out. {@link #close()} zeroes the held buffer; any
 * later use throws {@link IllegalStateException}. {@code toString()} never shows the content, there
 * is deliberately no {@code equals}/{@code hashCode} (use {@link #sameAs(Secret)}, which compares in
 * constant time), and there are no bean-style getters, so a JSON mapper cannot serialise a secret by
 * accident. Revealing is an explicit, greppable call: {@link #revealChars()} or {@link
 * #revealUtf8()}.
 *
 * <p>Instances are safe to read from several threads; closing while another thread reads is a
 * caller error.
 */
public final class Secret implements AutoCloseable {

  /** Upper bound on a secret's length in chars; tokens and API secrets are far shorter. */
  public static final int MAX_LENGTH = 64 * 1024;

  private final char[] value;
  private volatile boolean closed;

  private Secret(char[] ownedValue) {
    this.value = ownedValue;
  }

  /**
   * Copies {@code chars} into a new secret. The caller still owns {@code chars} and should zero it.
   *
   * @throws IllegalArgumentException if longer than {@link #MAX_LENGTH}
   */
  public static Secret of(char[] chars) {
    checkLength(chars.length);
    return new Secret(chars.clone());
  }

  /**
   * Copies a secret that already exists as a string (an environment variable, for instance). Prefer
   * {@link #of(char[])} where the value can be kept out of immutable strings.
   */
  public static Secret of(CharSequence chars) {
    checkLength(chars.length());
    char[] copy = new char[chars.length()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = chars.charAt(i);
    }
    return new Secret(copy);
  }

  /**
   * Decodes UTF-8 bytes into a new secret without creating a {@link String}. The caller still owns
   * {@code utf8} and should zero it.
   *
   * @throws IllegalArgumentException if the bytes are not valid UTF-8 or too long
   */
  public static Secret fromUtf8(byte[] utf8) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer decoded;
    try {
      decoded = decoder.decode(ByteBuffer.wrap(utf8));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("secret is not valid UTF-8", e);
    }
    char[] backing = decoded.array();
    try {
      checkLength(decoded.remaining());
      return new Secret(Arrays.copyOfRange(backing, decoded.position(), decoded.limit()));
    } finally {
      Arrays.fill(backing, '\0');
    }
  }

  /** Returns a fresh copy of the characters; the caller must zero it when done. */
  public char[] revealChars() {
    checkOpen();
    return value.clone();
  }

  /** Returns a fresh UTF-8 encoding; the caller must zero it when done. */
  public byte[] revealUtf8() {
    checkOpen();
    return encodeUtf8(value);
  }

  /** The length in chars. */
  public int length() {
    checkOpen();
    return value.length;
  }

  /** True when empty or only whitespace: such a value is never a usable token. */
  public boolean isBlank() {
    checkOpen();
    for (char c : value) {
      if (!Character.isWhitespace(c)) {
        return false;
      }
    }
    return true;
  }

  /** Compares the contents in time that depends only on the lengths, never on where they differ. */
  public boolean sameAs(Secret other) {
    byte[] mine = revealUtf8();
    byte[] theirs = other.revealUtf8();
    try {
      return MessageDigest.isEqual(mine, theirs);
    } finally {
      Arrays.fill(mine, (byte) 0);
      Arrays.fill(theirs, (byte) 0);
    }
  }

  /** An independent copy that must be closed on its own. */
  public Secret copy() {
    checkOpen();
    return new Secret(value.clone());
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return closed;
  }

  /** Zeroes the held characters. Idempotent. */
  @Override
  public void close() {
    closed = true;
    Arrays.fill(value, '\0');
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("secret has been closed");
    }
  }

  private static void checkLength(int length) {
    if (length > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "secret is " + length + " chars, more than the limit of " + MAX_LENGTH);
    }
  }

  static byte[] encodeUtf8(char[] chars) {
    CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
    ByteBuffer encoded;
    try {
      encoded = encoder.encode(CharBuffer.wrap(chars));
    } catch (CharacterCodingException e) {
      throw new IllegalStateException("UTF-8 encoding with REPLACE cannot fail", e);
    }
    byte[] backing = encoded.array();
    try {
      return Arrays.copyOfRange(backing, encoded.position(), encoded.limit());
    } finally {
      Arrays.fill(backing, (byte) 0);
    }
  }
}
