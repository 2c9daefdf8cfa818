package dev.credstore.cli.process;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.Arrays;

/**
 * Copies a child's text output with every occurrence of one secret replaced by {@value #MASK},
 * also where an occurrence straddles two reads: a verification command that prints the token
 * (as {@code k6 cloud login --show} does) must not put it on credstore's standard error.
 */
final class MaskingCopy {

  static final String MASK = "****";

  private MaskingCopy() {}

  /** Copies until {@code in} ends, then zeroes its buffers; {@code secret} is the caller's. */
  static void copy(Reader in, Writer out, char[] secret) throws IOException {
    char[] read = new char[4096];
    char[] window = new char[read.length + secret.length];
    int pending = 0;
    try {
      int count;
      while ((count = in.read(read)) >= 0) {
        if (pending + count > window.length) {
          char[] bigger = Arrays.copyOf(window, pending + count);
          Arrays.fill(window, '\0');
          window = bigger;
        }
        System.arraycopy(read, 0, window, pending, count);
        pending = emit(window, pending + count, secret, out, false);
      }
      emit(window, pending, secret, out, true);
    } finally {
      Arrays.fill(read, '\0');
      Arrays.fill(window, '\0');
    }
  }

  /**
   * Writes what is decided of {@code window[0, length)}: text up to the first position where a
   * match could still begin in input not read yet (all of it at the end). Moves the undecided
   * rest to the front and returns its length.
   */
  private static int emit(char[] window, int length, char[] secret, Writer out, boolean end)
      throws IOException {
    int from = 0;
    int i = 0;
    if (secret.length > 0) {
      while (i <= length - secret.length) {
        if (matchesAt(window, i, secret)) {
          out.write(window, from, i - from);
          out.write(MASK);
          i += secret.length;
          from = i;
        } else {
          i++;
        }
      }
    } else {
      i = length;
    }
    int undecided = end ? length : Math.max(i, from);
    out.write(window, from, undecided - from);
    out.flush();
    int rest = length - undecided;
    System.arraycopy(window, undecided, window, 0, rest);
    Arrays.fill(window, rest, length, '\0');
    return rest;
  }

  private static boolean matchesAt(char[] window, int at, char[] secret) {
    for (int k = 0; k < secret.length; k++) {
      if (window[at + k] != secret[k]) {
        return false;
      }
    }
    return true;
  }
}
