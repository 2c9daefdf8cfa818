package dev.credstore.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.credstore.spi.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A throwaway pass world for tests: a short private directory under /tmp (gpg-agent's socket path
 * must stay under ~100 chars, which a Maven @TempDir deep in target/ may not), GPG homes with
 * freshly generated keys, a password store, and the real gpg, pass and git. {@link #close()} stops
 * every gpg-agent it started and deletes everything.
 */
final class PassTesting implements AutoCloseable {

  static final Duration TIMEOUT = Duration.ofSeconds(30);

  final Path base;
  final Path home;
  final Path store;
  private final List<Path> gnupgHomes = new ArrayList<>();

  PassTesting() throws IOException {
    assumeInstalled();
    base = Files.createTempDirectory(Path.of("/tmp"), "csp",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    home = Files.createDirectories(base.resolve("h"));
    store = base.resolve("s");
  }

  static final String REQUIRE = "CREDSTORE_REQUIRE_PASS";

  /** Skips the test unless pass, gpg and git are installed; with {@value #REQUIRE}=1 (CI) fails. */
  static void assumeInstalled() {
    PassDirectory directory = PassDirectory.of(System.getenv());
    List<String> missing = Stream.of("pass", "gpg", "gpgconf", "git")
        .filter(program -> directory.program(program).isEmpty()).toList();
    if (missing.isEmpty()) {
      return;
    }
    String why = "not installed: " + String.join(", ", missing) + " (apt-get install pass gnupg git)";
    if ("1".equals(System.getenv(REQUIRE))) {
      fail(why + "; " + REQUIRE + "=1 makes this a failure");
    }
    // Printed as well, because Maven -q hides JUnit's skip reasons.
    System.err.println("[credstore] pass tests skipped: " + why);
    Assumptions.abort(why);
  }

  /** A new GPG home holding one key pair; {@code passphrase} null means an unprotected key. */
  Path gnupgHome(String name, String passphrase) throws Exception {
    Path gnupg = Files.createDirectory(base.resolve("g" + gnupgHomes.size()),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    gnupgHomes.add(gnupg);
    generateKey(gnupg, name, passphrase);
    return gnupg;
  }

  void generateKey(Path gnupg, String name, String passphrase) throws Exception {
    String parameters = (passphrase == null ? "%no-protection\n" : "")
        + "Key-Type: eddsa\nKey-Curve: ed25519\nKey-Usage: sign\n"
        + (passphrase == null ? "" : "Passphrase: " + passphrase + "\n")
        + "Subkey-Type: ecdh\nSubkey-Curve: cv25519\nSubkey-Usage: encrypt\n"
        + "Name-Real: " + name + "\nName-Email: " + name.toLowerCase() + "@example.test\n"
        + "Expire-Date: 0\n%commit\n";
    run(gnupg, parameters, "gpg", "--batch", "--pinentry-mode", "loopback", "--gen-key");
  }

  /** The fingerprint of the (last) key in {@code gnupg}. */
  String fingerprint(Path gnupg) throws Exception {
    String listing = run(gnupg, null, "gpg", "--batch", "--with-colons", "--list-keys");
    String fingerprint = null;
    boolean primary = false;
    for (String line : listing.split("\n")) {
      if (line.startsWith("pub:")) {
        primary = true;
      } else if (line.startsWith("fpr:") && primary) {
        fingerprint = line.split(":")[9];
        primary = false;
      }
    }
    return fingerprint;
  }

  /** Copies {@code from}'s public key into {@code to}, fully trusted there. */
  void importPublicKey(Path from, Path to) throws Exception {
    String armored = run(from, null, "gpg", "--batch", "--armor", "--export");
    run(to, armored, "gpg", "--batch", "--import");
    run(to, fingerprint(from) + ":6:\n", "gpg", "--batch", "--import-ownertrust");
  }

  /** The environment credstore and pass run with: this home, {@code gnupg}, this store. */
  Map<String, String> environment(Path gnupg) {
    Map<String, String> env = new HashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    env.put("HOME", home.toString());
    env.put("GNUPGHOME", gnupg.toString());
    env.put("PASSWORD_STORE_DIR", store.toString());
    env.put("LANG", "C.UTF-8");
    env.put("GIT_AUTHOR_NAME", "Test");
    env.put("GIT_AUTHOR_EMAIL", "test@example.test");
    env.put("GIT_COMMITTER_NAME", "Test");
    env.put("GIT_COMMITTER_EMAIL", "test@example.test");
    return env;
  }

  StoreOptions options(Path gnupg) {
    return options(environment(gnupg));
  }

  StoreOptions options(Map<String, String> environment) {
    return StoreOptions.builder().dataDirectory(home.resolve("data"))
        .operationTimeout(Duration.ofSeconds(20)).environment(environment).build();
  }

  /** Runs {@code command} in the pass world of {@code gnupg}; fails the test unless it exits 0. */
  String run(Path gnupg, String stdin, String... command) throws Exception {
    try (Commands.Output output = runAllowingFailure(gnupg, stdin, command)) {
      assertEquals(0, output.exitCode, String.join(" ", command) + ": " + output.stderr);
      return output.text();
    }
  }

  Commands.Output runAllowingFailure(Path gnupg, String stdin, String... command)
      throws Exception {
    return Commands.run(List.of(command), environment(gnupg), home,
        stdin == null ? null : stdin.getBytes(StandardCharsets.UTF_8), TIMEOUT);
  }

  /** Stops every gpg-agent started for these homes. */
  void stopAgents() {
    for (Path gnupg : gnupgHomes) {
      try {
        runAllowingFailure(gnupg, null, "gpgconf", "--kill", "all").close();
      } catch (Exception e) {
        // Best effort: the directory goes next, and the agent exits when its socket does.
      }
    }
  }

  @Override
  public void close() throws IOException {
    stopAgents();
    try (Stream<Path> paths = Files.walk(base)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
