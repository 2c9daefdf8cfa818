package dev.credstore.cli.output;

import dev.credstore.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A non-secret label for a stored secret, so that a user can tell which token is stored without
 * seeing it: the token's type prefix, if it has one, and 16 bits of a hash, e.g. {@code
 * ghp_****:3f9a}. Too little to brute-force anything: see docs/SECURITY.md, "Fingerprints".
 */
public final class Fingerprint {

  /** Below this length no hash is shown: 16 bits would be a real share of what such a secret has. */
  static final int MIN_HASHED_LENGTH = 20;
  /** Longest type prefix shown, separator included ({@code github_pat_} is 11). */
  static final int MAX_PREFIX = 11;
  private static final byte[] KEY =
      "credstore fingerprint v1".getBytes(StandardCharsets.US_ASCII);

  private Fingerprint() {}

  /** The label for {@code secret}, which stays open and unchanged. */
  public static String of(Secret secret) {
    char[] chars = secret.revealChars();
    byte[] utf8 = secret.revealUtf8();
    try {
      if (chars.length < MIN_HASHED_LENGTH) {
        return "****";
      }
      return prefix(chars) + "****:" + hash(utf8);
    } finally {
      Arrays.fill(chars, '\0');
      Arrays.fill(utf8, (byte) 0);
    }
  }

  /**
   * The type marker that token formats put in front, in the clear by design: segments of two to six
   * lower-case letters, each ending in {@code _} or {@code -}, within the first {@link #MAX_PREFIX}
   * characters ({@code ghp_}, {@code glpat-}, {@code github_pat_}, {@code sk-proj-}); empty when
   * there is none. Digits and upper case end it, so the random part of a token (or a UUID's first
   * group, eight characters) is never taken for a prefix.
   */
  static String prefix(char[] chars) {
    int end = 0;
    int segment = 0;
    for (int i = 0; i < Math.min(MAX_PREFIX, chars.length); i++) {
      char c = chars[i];
      if (c == '_' || c == '-') {
        if (segment < 2 || segment > 6) {
          break;
        }
        end = i + 1;
        segment = 0;
      } else if (c >= 'a' && c <= 'z') {
        segment++;
      } else {
        break;
      }
    }
    return new String(chars, 0, end);
  }

  private static String hash(byte[] utf8) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
      byte[] digest = mac.doFinal(utf8);
      String hex = String.format("%02x%02x", digest[0], digest[1]);
      Arrays.fill(digest, (byte) 0);
      return hex;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this Java runtime", e);
    }
  }
}
