package dev.credstore.cli.helper;

import dev.credstore.cli.output.ExitCodes.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Reads what git or Docker pipes to a credential helper into a {@code byte[]} that the caller
 * zeroes, so a secret in it never becomes a {@link String}.
 */
public final class HelperInput {

  /** Far more than any credential request; a bound so a runaway writer cannot exhaust memory. */
  static final int MAX_BYTES = 1 << 20;

  private HelperInput() {}

  /**
   * Reads until end of input or, if {@code stopAtBlankLine}, the first empty line (git's
   * terminator). Returns exactly the bytes read (without the blank line); the caller must zero it.
   */
  public static byte[] read(InputStream in, boolean stopAtBlankLine) {
    byte[] buffer = new byte[1024];
    int length = 0;
    try {
      while (true) {
        if (length == buffer.length) {
          if (length >= MAX_BYTES) {
            throw new UsageException("credential helper input is longer than " + MAX_BYTES
                + " bytes");
          }
          byte[] bigger = Arrays.copyOf(buffer, Math.min(length * 2, MAX_BYTES));
          Arrays.fill(buffer, (byte) 0);
          buffer = bigger;
        }
        int read = in.read(buffer, length, buffer.length - length);
        if (read < 0) {
          break;
        }
        int scanFrom = Math.max(0, length - 1);
        length += read;
        if (stopAtBlankLine) {
          int end = blankLine(buffer, scanFrom, length);
          if (end >= 0) {
            length = end;
            break;
          }
        }
      }
      return Arrays.copyOf(buffer, length);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
    } finally {
      Arrays.fill(buffer, (byte) 0);
    }
  }

  // Index just past the last line before an empty one ("\n\n", or input starting with "\n").
  private static int blankLine(byte[] bytes, int from, int to) {
    if (from == 0 && to > 0 && bytes[0] == '\n') {
      return 0;
    }
    for (int i = from; i + 1 < to; i++) {
      if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
        return i + 1;
      }
      if (bytes[i] == '\n' && bytes[i + 1] == '\r' && i + 2 < to && bytes[i + 2] == '\n') {
        return i + 1;
      }
    }
    return -1;
  }
}
