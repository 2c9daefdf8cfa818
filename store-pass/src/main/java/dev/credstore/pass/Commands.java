package dev.credstore.pass;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs {@code gpg}, {@code pass} and {@code git} as bounded child processes. Secrets travel only
 * through the stdin and stdout pipes: the argv and environment a caller passes never hold one.
 * Output is read into buffers that are zeroed when they grow and when the result is closed.
 */
final class Commands {

  // Entries are a few KB; anything near this is not a pass entry credstore should read.
  static final int MAX_OUTPUT = 1024 * 1024;
  private static final int MAX_ERRORS = 64 * 1024;

  private Commands() {}

  /** What a finished command left: its exit code, stdout (possibly secret) and stderr. */
  static final class Output implements AutoCloseable {
    final int exitCode;
    private final byte[] stdout;
    private final int length;
    final String stderr;

    Output(int exitCode, byte[] stdout, int length, String stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.length = length;
      this.stderr = stderr;
    }

    /** A copy of stdout; the caller zeroes it. */
    byte[] stdout() {
      return Arrays.copyOf(stdout, length);
    }

    /** Stdout as text, for commands whose output is not secret. */
    String text() {
      return new String(stdout, 0, length, StandardCharsets.UTF_8);
    }

    /** The last non-empty stderr line, for error messages (gpg and git never print secrets). */
    String lastErrorLine() {
      String[] lines = stderr.strip().split("\n");
      for (int i = lines.length - 1; i >= 0; i--) {
        if (!lines[i].isBlank() && !lines[i].startsWith("[GNUPG:]")) {
          return lines[i].strip();
        }
      }
      return "exit code " + exitCode;
    }

    @Override
    public void close() {
      Arrays.fill(stdout, (byte) 0);
    }
  }

  /**
   * Runs {@code command} in {@code directory} with exactly {@code environment}, feeding {@code
   * stdin} (null: an empty, closed stdin). The command and its children are killed if they run
   * longer than {@code timeout}.
   *
   * @throws IOException if the program cannot be started (e.g. it is not installed)
   * @throws TimeoutException if it did not finish in time; it has been killed
   */
  static Output run(List<String> command, Map<String, String> environment, Path directory,
      byte[] stdin, Duration timeout) throws IOException, TimeoutException {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().clear();
    builder.environment().putAll(environment);
    if (directory != null) {
      builder.directory(directory.toFile());
    }
    Process process = builder.start();
    Drain out = new Drain(process.getInputStream(), MAX_OUTPUT);
    Drain err = new Drain(process.getErrorStream(), MAX_ERRORS);
    Thread feeder = new Thread(() -> feed(process.getOutputStream(), stdin), "credstore-stdin");
    feeder.setDaemon(true);
    Thread outReader = out.start("credstore-stdout");
    Thread errReader = err.start("credstore-stderr");
    feeder.start();
    boolean finished = false;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        throw new TimeoutException(command.get(0) + " did not finish within "
            + timeout.toMillis() + " ms and was stopped");
      }
      // The pipes close when the process and its children exit; a child that kept one open
      // (gpg-agent never does: it closes its stdio) must not hang us either.
      outReader.join(timeout.toMillis());
      errReader.join(timeout.toMillis());
      if (outReader.isAlive() || errReader.isAlive()) {
        throw new TimeoutException(command.get(0) + " left its output open after exiting");
      }
      if (out.overflowed) {
        throw new IOException(command.get(0) + " wrote more than " + MAX_OUTPUT + " bytes");
      }
      String errors = new String(err.buffer, 0, err.length, StandardCharsets.UTF_8);
      return new Output(process.exitValue(), out.buffer, out.length, errors);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for " + command.get(0), e);
    } catch (IOException | TimeoutException | RuntimeException e) {
      out.zero();
      throw e;
    } finally {
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      err.zero();
    }
  }

  private static void feed(OutputStream stdin, byte[] content) {
    try (stdin) {
      if (content != null) {
        stdin.write(content);
      }
    } catch (IOException e) {
      // The child exited without reading all of it; its exit code says what went wrong.
    }
  }

  /** Reads one pipe to its end into a buffer that is zeroed whenever it is replaced. */
  private static final class Drain implements Runnable {
    private final InputStream in;
    private final int limit;
    byte[] buffer = new byte[4096];
    int length;
    volatile boolean overflowed;

    Drain(InputStream in, int limit) {
      this.in = in;
      this.limit = limit;
    }

    Thread start(String name) {
      Thread thread = new Thread(this, name);
      thread.setDaemon(true);
      thread.start();
      return thread;
    }

    @Override
    public void run() {
      try (in) {
        while (true) {
          if (length == buffer.length) {
            if (buffer.length >= limit) {
              overflowed = true;
              in.transferTo(OutputStream.nullOutputStream());
              return;
            }
            byte[] bigger = Arrays.copyOf(buffer, Math.min(limit, buffer.length * 2));
            Arrays.fill(buffer, (byte) 0);
            buffer = bigger;
          }
          int read = in.read(buffer, length, buffer.length - length);
          if (read < 0) {
            return;
          }
          length += read;
        }
      } catch (IOException e) {
        // The process was killed; run() reports that.
      }
    }

    void zero() {
      Arrays.fill(buffer, (byte) 0);
    }
  }
}
