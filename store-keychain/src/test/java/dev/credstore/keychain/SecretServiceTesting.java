package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.fail;

import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;

/** Shared set-up for tests that need the real Secret Service of the surrounding session. */
public final class SecretServiceTesting {

  static final String REQUIRE = "CREDSTORE_REQUIRE_SECRET_SERVICE";

  private SecretServiceTesting() {}

  public static StoreOptions options(Path dataDirectory) {
    return StoreOptions.builder().dataDirectory(dataDirectory)
        .operationTimeout(Duration.ofSeconds(10)).environment(System.getenv()).build();
  }

  /**
   * Skips the calling test class, with the probe's reason, when no Secret Service answers; fails
   * instead when {@value #REQUIRE}=1 (as in CI), so a broken setup cannot pass silently.
   */
  public static void assumeSecretService(Path dataDirectory) {
    Probe availability = new KeychainStoreProvider().probe(options(dataDirectory));
    if (availability.state() == Probe.State.READY) {
      return;
    }
    String why = "no usable Secret Service: " + availability.reason()
        + " (run under scripts/with-secret-service)";
    if ("1".equals(System.getenv(REQUIRE))) {
      fail(why + "; " + REQUIRE + "=1 makes this a failure");
    }
    // Printed as well, because Maven -q hides JUnit's skip reasons.
    System.err.println("[credstore] keychain tests skipped: " + why);
    Assumptions.abort(why);
  }

  /**
   * Runs a command, feeding {@code input} (no newline) to stdin, and returns its stdout; fails the
   * test if it does not finish within 30 s.
   */
  public static String run(String input, String... command) throws Exception {
    Process process = new ProcessBuilder(new java.util.ArrayList<>(java.util.List.of(command)))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (input != null) {
      process.getOutputStream().write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(),
        java.nio.charset.StandardCharsets.UTF_8);
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail(String.join(" ", command) + " did not finish");
    }
    return out;
  }
}
