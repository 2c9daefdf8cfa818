package dev.credstore.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

class ExitCodesTest {

  private final ExitCodes codes = new ExitCodes(() -> false);

  @Test
  void everyFailureMapsToItsDocumentedCode() {
    assertEquals(1, codes.getExitCode(new NullPointerException()));
    assertEquals(1, codes.getExitCode(new CredentialStoreException("other")));
    assertEquals(2, codes.getExitCode(new IllegalArgumentException("bad id")));
    assertEquals(2, codes.getExitCode(new ExitCodes.UsageException("empty token")));
    assertEquals(3, codes.getExitCode(new CredentialNotFoundException("x")));
    assertEquals(4, codes.getExitCode(new AuthenticationException("x")));
    assertEquals(5, codes.getExitCode(new BackendUnavailableException("x")));
    assertEquals(6, codes.getExitCode(new IntegrityException("x")));
    assertEquals(7, codes.getExitCode(new CredentialConflictException("x")));
    assertEquals(8, codes.getExitCode(new StorageException("x")));
    assertEquals(9, codes.getExitCode(new ConfigurationException("x")));
    assertEquals(126, codes.getExitCode(
        new ExitCodes.CommandNotStartedException("x", false, null)));
    assertEquals(127, codes.getExitCode(
        new ExitCodes.CommandNotStartedException("x", true, null)));
    assertEquals(14, ExitCodes.table().size());
  }

  @Command(name = "boom")
  static final class Boom implements Callable<Integer> {
    @Option(names = "--verbose") boolean verbose;

    @Override
    public Integer call() {
      throw new IllegalStateException("something\nbroke");
    }
  }

  private static String run(boolean verbose, int[] code) {
    ExitCodes handler = new ExitCodes(() -> verbose);
    StringWriter err = new StringWriter();
    CommandLine commandLine = new CommandLine(new Boom())
        .setExecutionExceptionHandler(handler)
        .setExitCodeExceptionMapper(handler)
        .setErr(new PrintWriter(err));
    code[0] = commandLine.execute();
    return err.toString();
  }

  @Test
  void unexpectedException_exitsOne_withOneLine_andNoStackTrace() {
    int[] code = new int[1];
    String err = run(false, code);
    assertEquals(1, code[0]);
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("credstore: unexpected error (java.lang.IllegalStateException): "
        + "something broke; run again with --verbose"), err);
  }

  @Test
  void unexpectedException_withVerbose_printsTheStackTrace() {
    int[] code = new int[1];
    String err = run(true, code);
    assertEquals(1, code[0]);
    assertTrue(err.contains("\tat dev.credstore.cli.output.ExitCodesTest$Boom.call"), err);
  }
}
