package dev.credstore.cli.output;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

/**
 * The one place that turns failures into exit codes and a single {@code credstore: …} line on
 * stderr. Stack traces appear only with {@code --verbose}.
 */
public final class ExitCodes
    implements IExitCodeExceptionMapper, IExecutionExceptionHandler, IParameterExceptionHandler {

  public static final int OK = 0;
  static final int BUG = 1;
  public static final int USAGE = 2;
  static final int NOT_FOUND = 3;
  static final int AUTHENTICATION = 4;
  static final int UNAVAILABLE = 5;
  static final int INTEGRITY = 6;
  public static final int CONFLICT = 7;
  public static final int STORAGE = 8;
  static final int CONFIGURATION = 9;
  /**
   * {@code status --max-age} found credentials older than allowed, or {@code unlock --for} asked
   * for longer than the maximum; none of 0-9 means that.
   */
  public static final int POLICY = 10;
  /** {@code doctor} found something marked "fix". */
  public static final int DOCTOR_FINDINGS = 11;
  /** {@code exec}/{@code rotate --verify}: COMMAND exists but cannot be run (as in shells). */
  static final int CANNOT_EXECUTE = 126;
  /** {@code exec}/{@code rotate --verify}: COMMAND not found (as in shells). */
  static final int COMMAND_NOT_FOUND = 127;

  /** For {@code --help} and the README; keys are padded so picocli lines them up. */
  public static Map<String, String> table() {
    Map<String, String> table = new LinkedHashMap<>();
    table.put("0", "success");
    table.put("1", "unexpected error (a bug; run again with --verbose and report it)");
    table.put("2", "usage error: bad option, argument, name or empty secret");
    table.put("3", "not found: no such credential");
    table.put("4", "authentication failed: wrong or missing passphrase, locked keychain, "
        + "rotate --verify command failed");
    table.put("5", "backend unavailable");
    table.put("6", "integrity failure: the store is tampered with or corrupt");
    table.put("7", "conflict: already logged in (use --force or logout first)");
    table.put("8", "storage error: I/O, unsafe permissions or unsafe path");
    table.put("9", "configuration error, e.g. malformed config.json");
    table.put("10", "policy violation: status --max-age found credentials older than allowed, "
        + "or unlock --for is longer than the maximum");
    table.put("11", "doctor found something to fix");
    table.put("126", "exec, rotate --verify: the command cannot be executed");
    table.put("127", "exec, rotate --verify: the command was not found");
    return table;
  }

  /** Each kind of failure and its code, asked in this order. */
  private static final List<Map.Entry<Class<?>, Integer>> CODES = List.of(
      Map.entry(ParameterException.class, USAGE),
      Map.entry(UsageException.class, USAGE),
      Map.entry(IllegalArgumentException.class, USAGE),
      Map.entry(CredentialNotFoundException.class, NOT_FOUND),
      Map.entry(AuthenticationException.class, AUTHENTICATION),
      Map.entry(BackendUnavailableException.class, UNAVAILABLE),
      Map.entry(IntegrityException.class, INTEGRITY),
      Map.entry(CredentialConflictException.class, CONFLICT),
      Map.entry(StorageException.class, STORAGE),
      Map.entry(ConfigurationException.class, CONFIGURATION));

  private final BooleanSupplier verbose;

  /** {@code verbose} is asked at each failure: whether {@code --verbose} was given. */
  public ExitCodes(BooleanSupplier verbose) {
    this.verbose = verbose;
  }

  @Override
  public int getExitCode(Throwable failure) {
    for (Map.Entry<Class<?>, Integer> kind : CODES) {
      if (kind.getKey().isInstance(failure)) {
        return kind.getValue();
      }
    }
    if (failure instanceof CommandNotStartedException notStarted) {
      return notStarted.notFound ? COMMAND_NOT_FOUND : CANNOT_EXECUTE;
    }
    return BUG;
  }

  @Override
  public int handleExecutionException(Exception failure, CommandLine commandLine,
      ParseResult parseResult) {
    return report(failure, commandLine.getErr());
  }

  /** Prints the one-line message (and, with --verbose, the stack trace); returns the exit code. */
  public int report(Exception failure, PrintWriter err) {
    int code = getExitCode(failure);
    String message = failure.getMessage() == null || failure.getMessage().isBlank()
        ? failure.getClass().getName() : failure.getMessage();
    if (code == BUG) {
      message = "unexpected error (" + failure.getClass().getName() + "): " + message
          + (verbose.getAsBoolean() ? "" : "; run again with --verbose for details");
    }
    print(err, oneLine(message), failure);
    return code;
  }

  @Override
  public int handleParseException(ParameterException failure, String[] args) {
    CommandLine commandLine = failure.getCommandLine();
    PrintWriter err = commandLine.getErr();
    print(err, oneLine(ParseErrors.describe(failure)) + " (see '"
        + commandLine.getCommandSpec().qualifiedName() + " --help')", failure);
    return getExitCode(failure);
  }

  private void print(PrintWriter err, String line, Exception failure) {
    err.println("credstore: " + line);
    if (verbose.getAsBoolean()) {
      failure.printStackTrace(err);
    }
    err.flush();
  }

  private static String oneLine(String message) {
    return message.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }

  /** A usage problem found after parsing (empty token, no terminal to prompt): exit 2. */
  public static final class UsageException extends RuntimeException {
    public UsageException(String message) {
      super(message);
    }

    public UsageException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A child command ({@code exec}, {@code rotate --verify}) could not be started: 126 or 127. */
  public static final class CommandNotStartedException extends RuntimeException {
    final boolean notFound;

    public CommandNotStartedException(String message, boolean notFound, Throwable cause) {
      super(message, cause);
      this.notFound = notFound;
    }
  }
}
