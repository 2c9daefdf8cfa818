package dev.credstore.cli.helper;

import dev.credstore.api.Secret;
import java.util.Arrays;

/**
 * The secret part of a git credential as one {@link Secret}: the password alone in the usual case,
 * so that {@code credstore get git:…} prints it; otherwise ({@value #FIELDS}) git's own lines,
 * {@code password=…} and {@code oauth_refresh_token=…}, which also holds the empty password of
 * git's SSO case, which a credential cannot hold as its whole secret. git's values never contain a
 * newline, so the lines cannot be confused. The refresh token thus gets every protection a
 * secret gets (encryption, zeroing, never listed).
 */
public final class GitSecret implements AutoCloseable {

  /** Attribute naming how the secret is laid out; absent means the password alone. */
  public static final String FORMAT = "secretFormat";
  /** Value of {@link #FORMAT} for git's lines. */
  public static final String FIELDS = "git-fields";

  private static final char[] PASSWORD = "password=".toCharArray();
  private static final char[] REFRESH = "oauth_refresh_token=".toCharArray();

  public final Secret password;
  public final Secret refreshToken; // null when none

  private GitSecret(Secret password, Secret refreshToken) {
    this.password = password;
    this.refreshToken = refreshToken;
  }

  /** Whether {@code password} and {@code refreshToken} need the {@value #FIELDS} layout. */
  public static boolean needsFields(Secret password, Secret refreshToken) {
    return refreshToken != null || password.isBlank();
  }

  /** The stored form of {@code password} and {@code refreshToken} (null: none); close it. */
  public static Secret encode(Secret password, Secret refreshToken) {
    if (!needsFields(password, refreshToken)) {
      return password.copy();
    }
    char[] pw = password.revealChars();
    char[] rt = refreshToken == null ? new char[0] : refreshToken.revealChars();
    int length = PASSWORD.length + pw.length + 1
        + (refreshToken == null ? 0 : REFRESH.length + rt.length + 1);
    char[] joined = new char[length];
    try {
      int at = put(joined, 0, PASSWORD, pw);
      if (refreshToken != null) {
        put(joined, at, REFRESH, rt);
      }
      return Secret.of(joined);
    } finally {
      Arrays.fill(pw, '\0');
      Arrays.fill(rt, '\0');
      Arrays.fill(joined, '\0');
    }
  }

  private static int put(char[] into, int at, char[] key, char[] value) {
    System.arraycopy(key, 0, into, at, key.length);
    System.arraycopy(value, 0, into, at + key.length, value.length);
    into[at + key.length + value.length] = '\n';
    return at + key.length + value.length + 1;
  }

  /** Splits a stored secret whose {@value #FORMAT} attribute is {@code format} (null: none). */
  public static GitSecret decode(Secret stored, String format) {
    if (!FIELDS.equals(format)) {
      return new GitSecret(stored.copy(), null);
    }
    char[] chars = stored.revealChars();
    try {
      Secret password = null;
      Secret refresh = null;
      int start = 0;
      while (start < chars.length) {
        int end = start;
        while (end < chars.length && chars[end] != '\n') {
          end++;
        }
        if (startsWith(chars, start, end, PASSWORD)) {
          password = slice(chars, start + PASSWORD.length, end);
        } else if (startsWith(chars, start, end, REFRESH)) {
          refresh = slice(chars, start + REFRESH.length, end);
        }
        start = end + 1;
      }
      if (password == null) {
        // Not git's lines after all (say `credstore rotate` set a plain token): all of it is the
        // password, as for an entry without the attribute.
        close(refresh);
        return new GitSecret(stored.copy(), null);
      }
      return new GitSecret(password, refresh);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  private static Secret slice(char[] chars, int from, int to) {
    char[] part = Arrays.copyOfRange(chars, from, to);
    try {
      return Secret.of(part);
    } finally {
      Arrays.fill(part, '\0');
    }
  }

  private static void close(Secret secret) {
    if (secret != null) {
      secret.close();
    }
  }

  private static boolean startsWith(char[] chars, int start, int end, char[] prefix) {
    if (end - start < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (chars[start + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    password.close();
    if (refreshToken != null) {
      refreshToken.close();
    }
  }
}
