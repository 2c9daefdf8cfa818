package dev.credstore.cli.console;

import dev.credstore.api.Secret;
import dev.credstore.cli.output.ExitCodes.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads secrets without ever making a {@link String} of them: piped standard input goes through a
 * {@code byte[]} and prompts through the {@code char[]} of {@code Console.readPassword}; every
 * buffer is zeroed before returning, whatever happens.
 */
public final class SecretInput {

  // UTF-8 needs at most four bytes per char (a surrogate pair is two chars in four bytes).
  static final int MAX_LINE_BYTES = Secret.MAX_LENGTH * 4;

  private SecretInput() {}

  /**
   * Reads one line from {@code in} (a terminal's line, where Enter ends the input): everything up to the first {@code \n} (a {@code \r} before it is
   * dropped too) or end of input. Anything after the line is read into the same buffer and zeroed
   * with it.
   *
   * @throws UsageException if the line is not UTF-8 or is longer than a secret may be
   */
  public static Secret readLine(InputStream in, String what) {
    try (ZeroingBuffer buffer = new ZeroingBuffer(512, MAX_LINE_BYTES, tooLong(what))) {
      int read;
      while ((read = buffer.readMore(in)) >= 0) {
        int newline = indexOf(buffer.bytes(), buffer.length() - read, buffer.length(), (byte) '\n');
        if (newline >= 0) {
          buffer.truncate(newline);
          break;
        }
      }
      int length = buffer.length();
      if (length > 0 && buffer.bytes()[length - 1] == '\r') {
        buffer.truncate(length - 1);
      }
      byte[] line = buffer.copy();
      try {
        return Secret.fromUtf8(line);
      } catch (IllegalArgumentException e) {
        throw new UsageException(what + " on standard input is not valid UTF-8", e);
      } finally {
        Arrays.fill(line, (byte) 0);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
    }
  }

  /**
   * Reads all of {@code in}, as {@code gh auth login --with-token} does, less one trailing line
   * break ({@code \n} or {@code \r\n}): a secret piped from {@code printf '%s\n'} or a file
   * arrives whole, never cut at its first line. A line break left inside is refused unless
   * {@code multiline} (PEM keys, JSON service-account keys), and so is any control character
   * other than tab (see {@link #checkCharacters}).
   *
   * @throws UsageException if the input is not UTF-8, too long, or holds a character refused
   */
  public static Secret readAll(InputStream in, String what, boolean multiline) {
    try (ZeroingBuffer buffer = new ZeroingBuffer(512, MAX_LINE_BYTES + 2, tooLong(what))) {
      while (buffer.readMore(in) >= 0) {
        // to the end of input
      }
      byte[] bytes = buffer.bytes();
      int length = buffer.length();
      if (length > 0 && bytes[length - 1] == '\n') {
        length--;
        if (length > 0 && bytes[length - 1] == '\r') {
          length--;
        }
      }
      buffer.truncate(length);
      byte[] whole = buffer.copy();
      Secret secret;
      try {
        secret = Secret.fromUtf8(whole);
      } catch (IllegalArgumentException e) {
        throw new UsageException(what + " on standard input is not valid UTF-8", e);
      } finally {
        Arrays.fill(whole, (byte) 0);
      }
      try {
        checkCharacters(secret, what + " on standard input", multiline);
      } catch (UsageException e) {
        secret.close();
        throw e;
      }
      return secret;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
    }
  }

  private static String tooLong(String what) {
    return what + " on standard input is longer than " + Secret.MAX_LENGTH + " characters";
  }

  /**
   * Refuses a secret holding a control character other than tab (line breaks too, unless
   * {@code multiline}): a NUL cannot pass through an environment variable or a helper protocol,
   * and Java's own errors about one quote the whole value. The message names the position
   * (counted from 1) and never the characters.
   *
   * @throws UsageException naming the first refused position
   */
  public static void checkCharacters(Secret secret, String what, boolean multiline) {
    char[] chars = secret.revealChars();
    try {
      for (int i = 0; i < chars.length; i++) {
        char c = chars[i];
        if (c == '\t' || !Character.isISOControl(c)) {
          continue;
        }
        if (c == '\n' || c == '\r') {
          if (multiline) {
            continue;
          }
          throw new UsageException(what + " holds a line break at character " + (i + 1)
              + "; a secret is one line, unless --multiline says it spans lines (a PEM or JSON"
              + " key)");
        }
        throw new UsageException(what + " holds a control character at character " + (i + 1)
            + "; secrets may hold tabs but no other control characters");
      }
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /** Prompts once with echo off; null when input ended (Ctrl-D). */
  public static Secret prompt(Terminal terminal, String prompt) {
    char[] typed = terminal.readPassword(prompt);
    if (typed == null) {
      return null;
    }
    Secret secret;
    try {
      secret = Secret.of(typed);
    } finally {
      Arrays.fill(typed, '\0');
    }
    try {
      checkCharacters(secret, "the secret typed", false);
    } catch (UsageException e) {
      secret.close();
      throw e;
    }
    return secret;
  }

  private static int indexOf(byte[] bytes, int from, int to, byte wanted) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }
}
