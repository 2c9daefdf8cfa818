package dev.credstore.file.unlock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * The agent's protocol: binary messages, one request per connection. A request is an operation
 * byte, followed for {@link #GET} by the 32-byte binding of the store being opened, and for {@link
 * #OPEN} by the store's path (2-byte length, UTF-8) and its whole file (4-byte length, bytes).
 * Integers are big-endian.
 */
final class Wire {

  static final int BINDING_BYTES = 32;
  static final int KEY_BYTES = 32;
  static final int MAX_PATH_BYTES = 4096;
  /** Larger files are decrypted by the client with the key from {@link #GET}. */
  static final int MAX_OPEN_BYTES = 4 * 1024 * 1024;

  /** Get: the answer is {@link #KEY}, the expiry (epoch ms, 8 bytes) and the key; or {@link #NO}. */
  static final byte GET = 'G';
  /**
   * Open: the agent checks the file (checksum, format) and that its path and key section are those
   * it holds the key for, and decrypts the payload; the answer is {@link #OPENED}, the expiry, the
   * key, the payload's length (4 bytes) and the payload; or {@link #NO}.
   */
  static final byte OPEN = 'O';
  /** Status: the answer is {@link #HELD}, the expiry and the binding of the key it holds. */
  static final byte STATUS = 'S';
  /** Lock: the agent zeroes its key, answers {@link #DONE} and exits. */
  static final byte LOCK = 'L';

  static final byte KEY = 'K';
  static final byte OPENED = 'P';
  static final byte NO = 'N';
  static final byte HELD = 'H';
  static final byte DONE = 'D';

  private Wire() {}

  /** Fills {@code buffer} from {@code channel}; false if the peer closed first. */
  static boolean readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        return false;
      }
    }
    buffer.flip();
    return true;
  }

  static void writeFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  /**
   * Starts a daemon thread that closes {@code channel} after {@code millis} unless interrupted
   * first: a stopped or wedged peer must not hang either side. Interrupt it once answered.
   */
  static Thread closeAfter(SocketChannel channel, long millis, String threadName) {
    Thread thread = new Thread(() -> {
      try {
        Thread.sleep(millis);
        channel.close();
      } catch (InterruptedException | IOException finished) {
        // Answered in time, or already closed.
      }
    }, threadName);
    thread.setDaemon(true);
    thread.start();
    return thread;
  }
}
