package dev.credstore.cli;

import dev.credstore.cli.command.Credstore;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.StandardOutput;
import dev.credstore.cli.output.Version;
import dev.credstore.cli.session.Context;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point of {@code credstore.jar}. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    // UTF-8 whatever the locale, so that a token read from stdin as UTF-8 comes back out unchanged.
    StandardOutput stdout = StandardOutput.system();
    PrintWriter out = stdout.writer();
    PrintWriter err = new PrintWriter(new OutputStreamWriter(
        new FileOutputStream(FileDescriptor.err), StandardCharsets.UTF_8), true);
    int code = run(Context.system(), out, err, args);
    // Docker's helper protocol knows only 0 and 1.
    boolean docker = args.length > 0 && args[0].equals("docker-credential");
    code = stdout.exitCode(out, code, docker ? 1 : ExitCodes.STORAGE, err);
    // A keychain library may leave non-daemon threads behind; end the JVM explicitly.
    System.exit(code);
  }

  /** Runs one command line and returns its exit code; the streams are flushed, not closed. */
  static int run(Context context, PrintWriter out, PrintWriter err, String... args) {
    try {
      if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-V"))) {
        // Without picocli, whose Java 5 class files class-data sharing cannot archive.
        for (String line : new Version().getVersion()) {
          out.println(line);
        }
        return ExitCodes.OK;
      }
      FastGet get = FastGet.parse(args);
      return get != null ? get.run(context, out, err)
          : Credstore.commandLineFor(context, out, err, args).execute(args);
    } finally {
      out.flush();
      err.flush();
    }
  }
}
