package dev.credstore.cli.helper;

import dev.credstore.cli.console.ZeroingBuffer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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
    try (ZeroingBuffer buffer = new ZeroingBuffer(1024, MAX_BYTES,
        "credential helper input is longer than " + MAX_BYTES + " bytes")) {
      int read;
      while ((read = buffer.readMore(in)) >= 0) {
        if (stopAtBlankLine) {
          int scanFrom = Math.max(0, buffer.length() - read - 1);
          int end = blankLine(buffer.bytes(), scanFrom, buffer.length());
          if (end >= 0) {
            buffer.truncate(end);
            break;
          }
        }
      }
      return buffer.copy();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read standard input: " + e.getMessage(), e);
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
