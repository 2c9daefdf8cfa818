package dev.credstore.cli.console;

import dev.credstore.cli.output.ExitCodes.UsageException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The read loop's buffer for input that may hold a secret: it grows up to a bound, zeroes every
 * array it drops, and zeroes the last one on {@link #close()}.
 */
public final class ZeroingBuffer implements AutoCloseable {

  private final int max;
  private final String tooLong;
  private byte[] bytes;
  private int length;

  /** {@code tooLong} is the usage error's message once {@code max} bytes are held. */
  public ZeroingBuffer(int initial, int max, String tooLong) {
    this.max = max;
    this.tooLong = tooLong;
    this.bytes = new byte[initial];
  }

  /**
   * Reads once from {@code in} into the buffer, growing it first if full.
   *
   * @return the number of bytes read, or -1 at end of input
   * @throws UsageException if the buffer is full at its bound
   */
  public int readMore(InputStream in) throws IOException {
    if (length == bytes.length) {
      if (length >= max) {
        throw new UsageException(tooLong);
      }
      byte[] bigger = Arrays.copyOf(bytes, Math.min(length * 2, max));
      Arrays.fill(bytes, (byte) 0);
      bytes = bigger;
    }
    int read = in.read(bytes, length, bytes.length - length);
    if (read > 0) {
      length += read;
    }
    return read;
  }

  /** The buffer itself (not a copy); bytes from {@link #length()} on are not input. */
  public byte[] bytes() {
    return bytes;
  }

  public int length() {
    return length;
  }

  /** Keeps only the first {@code length} bytes as input. */
  public void truncate(int length) {
    this.length = length;
  }

  /** A copy of the input, which the caller zeroes. */
  public byte[] copy() {
    return Arrays.copyOf(bytes, length);
  }

  @Override
  public void close() {
    Arrays.fill(bytes, (byte) 0);
  }
}
