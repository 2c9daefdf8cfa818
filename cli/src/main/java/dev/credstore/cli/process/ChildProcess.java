package dev.credstore.cli.process;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.cli.console.SecretInput;
import dev.credstore.cli.output.Durations;
import dev.credstore.cli.output.ExitCodes.CommandNotStartedException;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.session.PassphraseStores;
import dev.credstore.runtime.KnownServices;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Starts a child command with a secret in one environment variable, never in its argv: for {@code
 * exec} (stdio inherited, exit code passed on) and {@code rotate --verify} (bounded, output shown on
 * our stderr).
 *
 * <p>Java cannot replace its own process, so credstore stays alive as the child's parent. While an
 * {@code exec} child runs, SIGINT and SIGHUP are ignored here (the terminal sends them to the whole
 * foreground process group, so the child has its own copy and decides what to do), and SIGTERM is
 * passed on to the child; credstore then exits with the child's status. A shutdown hook stops the
 * child if credstore itself is shut down. Only SIGKILL of credstore can orphan the child.
 */
public final class ChildProcess {

  /** Variables a child never inherits: the store's own passphrase is not the child's business. */
  static final List<String> WITHHELD = List.of(PassphraseSource.ENV_VARIABLE,
      PassphraseStores.NEW_PASSPHRASE_VARIABLE);

  private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");
  private static final Duration GRACE = Duration.ofSeconds(5);

  private ChildProcess() {}

  /**
   * The variable that carries the secret to the child: {@code --env VAR} if given, else the first
   * variable registered for the service.
   *
   * @throws UsageException if {@code option} is not a valid name, or neither exists
   */
  public static String variableFor(KnownServices services, CredentialId id, String option) {
    if (option != null) {
      if (!VARIABLE.matcher(option).matches()) {
        throw new UsageException("--env: '" + option + "' is not a valid environment variable name");
      }
      return option;
    }
    return services.find(id.service())
        .flatMap(definition -> definition.environmentVariables().stream().findFirst())
        .orElseThrow(() -> new UsageException("service " + id.service() + " has no registered "
            + "environment variable; name the one the command reads with --env VAR"));
  }

  /**
   * The child's environment: ours, minus {@link #WITHHELD}, plus {@code variable} set to the
   * secret. Java's {@link ProcessBuilder} only takes strings, so the secret becomes a String here;
   * that is the one place it does.
   */
  private static void environment(ProcessBuilder builder, Map<String, String> ours,
      Map<String, Secret> secrets) {
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.putAll(ours);
    WITHHELD.forEach(environment::remove);
    for (Map.Entry<String, Secret> entry : secrets.entrySet()) {
      // Checked here too: a secret stored before input was checked, or by another tool in the
      // keychain, may hold a NUL, and ProcessBuilder's error would quote the whole value.
      SecretInput.checkCharacters(entry.getValue(), "the secret for " + entry.getKey(), true);
      char[] chars = entry.getValue().revealChars();
      try {
        environment.put(entry.getKey(), new String(chars));
      } finally {
        java.util.Arrays.fill(chars, '\0');
      }
    }
  }

  private static Process start(ProcessBuilder builder) {
    String name = builder.command().get(0);
    try {
      return builder.start();
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      boolean notFound = message.contains("error=2,");
      throw new CommandNotStartedException((notFound ? "command not found: " : "cannot run ")
          + name + (notFound ? "" : ": " + message.replaceFirst("^Cannot run program \"[^\"]*\": ",
              "")), notFound, e);
    }
  }

  /**
   * Runs {@code command} with standard input, output and error inherited and returns its exit code
   * (128 + signal number if a signal ended it, as Java reports it on Unix).
   */
  public static int exec(List<String> command, Map<String, String> ours, String variable,
      Secret secret) throws InterruptedException {
    return exec(command, ours, Map.of(variable, secret));
  }

  /** As {@link #exec(List, Map, String, Secret)}, with one variable per secret. */
  public static int exec(List<String> command, Map<String, String> ours,
      Map<String, Secret> secrets) throws InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
    environment(builder, ours, secrets);
    // Handlers go in before the child starts, so a SIGTERM in between is not lost.
    AtomicReference<Process> started = new AtomicReference<>();
    AtomicBoolean terminate = new AtomicBoolean();
    List<Runnable> restore = new ArrayList<>();
    Runnable ignore = () -> { };
    restore.add(Signals.handle("INT", ignore));
    restore.add(Signals.handle("HUP", ignore));
    restore.add(Signals.handle("TERM", () -> {
      terminate.set(true);
      Process child = started.get();
      if (child != null) {
        child.destroy();
      }
    }));
    Thread stopChild = null;
    try {
      Process child = start(builder);
      started.set(child);
      if (terminate.get()) {
        child.destroy();
      }
      Process forHook = child;
      stopChild = new Thread(() -> stop(forHook), "credstore-exec-stop-child");
      Runtime.getRuntime().addShutdownHook(stopChild);
      return child.waitFor();
    } finally {
      restore.forEach(Runnable::run);
      if (stopChild != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(stopChild);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running or will run; it stops the child.
        }
      }
    }
  }

  /** SIGTERM, a grace period, then SIGKILL. */
  private static void stop(Process child) {
    if (!child.isAlive()) {
      return;
    }
    child.destroy();
    try {
      if (!child.waitFor(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        child.destroyForcibly();
      }
    } catch (InterruptedException e) {
      child.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Runs a verification command with empty standard input, copying its standard output and error to
   * {@code err} as they arrive (our standard output stays for data, e.g. {@code --json}), with the
   * secret masked wherever the command prints it.
   *
   * @throws AuthenticationException if it exits non-zero or does not finish within {@code timeout}
   */
  public static void verify(List<String> command, Map<String, String> ours, String variable,
      Secret secret, Duration timeout, PrintWriter err)
      throws AuthenticationException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    environment(builder, ours, Map.of(variable, secret));
    err.flush();
    Process child = start(builder);
    try {
      child.getOutputStream().close();
    } catch (IOException alreadyGone) {
      // It exited already; its status tells.
    }
    // The pump's own copy of the secret: it may outlive this method (a grandchild holding the
    // pipe open), and zeroes the copy when it ends.
    char[] mask = secret.revealChars();
    Thread pump = new Thread(() -> copy(child.getInputStream(), err, mask),
        "credstore-verify-output");
    pump.setDaemon(true);
    pump.start();
    try {
      if (!child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        stop(child);
        pump.join(1000);
        throw new AuthenticationException("verification command " + command.get(0)
            + " did not finish within " + Durations.format(timeout)
            + " (--verify-timeout); nothing was changed");
      }
      // A background grandchild may keep the pipe open; do not wait for it long.
      pump.join(1000);
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly();
      }
    }
    int code = child.exitValue();
    if (code != 0) {
      throw new AuthenticationException("verification command " + command.get(0) + " exited "
          + code + " with the new secret in " + variable + " (its output is above); nothing was"
          + " changed");
    }
  }

  private static void copy(InputStream in, PrintWriter err, char[] secret) {
    try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
      MaskingCopy.copy(reader, new Writer() {
        @Override
        public void write(char[] chars, int offset, int length) {
          synchronized (err) {
            err.write(chars, offset, length);
          }
        }

        @Override
        public void flush() {
          err.flush();
        }

        @Override
        public void close() {
          // err belongs to the caller
        }
      }, secret);
    } catch (IOException closed) {
      // The child went away; what it wrote has been shown.
    } finally {
      java.util.Arrays.fill(secret, '\0');
    }
  }
}
