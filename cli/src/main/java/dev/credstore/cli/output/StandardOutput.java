package dev.credstore.cli.output;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/**
 * credstore's standard output, remembering the first write that failed: a {@link PrintWriter}
 * swallows the error, and {@code credstore get k6 > token} on a full disk must not report
 * success with an empty file.
 */
public final class StandardOutput extends FilterOutputStream {

  private IOException failure;

  private StandardOutput(OutputStream out) {
    super(out);
  }

  /** A UTF-8 writer over {@code out} whose failures {@link #exitCode} then reads. */
  public static StandardOutput over(OutputStream out) {
    return new StandardOutput(out);
  }

  /** The process's standard output. */
  public static StandardOutput system() {
    return over(new FileOutputStream(FileDescriptor.out));
  }

  /** A UTF-8 writer over this stream, whatever the locale. */
  public PrintWriter writer() {
    return new PrintWriter(new OutputStreamWriter(this, StandardCharsets.UTF_8));
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      throw remember(e);
    }
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    try {
      out.write(bytes, offset, length);
    } catch (IOException e) {
      throw remember(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw remember(e);
    }
  }

  private IOException remember(IOException e) {
    if (failure == null) {
      failure = e;
    }
    return e;
  }

  /**
   * The exit code once {@code writer} is flushed: {@code code} when everything was written or the
   * command failed anyway, else {@code failedCode}, with one line on {@code err} unless the reader
   * went away (a closed pipe, as in {@code credstore list | head -c0}, where Unix tools stay quiet).
   */
  public int exitCode(PrintWriter writer, int code, int failedCode, PrintWriter err) {
    writer.flush();
    if (failure == null || code != ExitCodes.OK) {
      return code;
    }
    String reason = failure.getMessage() == null ? failure.getClass().getSimpleName()
        : failure.getMessage();
    if (!reason.contains("Broken pipe")) {
      err.println("credstore: cannot write to standard output: " + reason
          + "; nothing was delivered");
      err.flush();
    }
    return failedCode;
  }
}
