package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The pass backend through the {@code bin/credstore} launcher, with the real pass, gpg and a GPG
 * key generated here (a short directory under /tmp: gpg-agent's socket path has a length limit).
 */
class PassBackendIT {

  private static final Path LAUNCHER =
      Path.of(System.getProperty("credstore.launcher", "../bin/credstore")).toAbsolutePath()
          .normalize();

  private Path temp;
  private Path gnupg;
  private CliProcess cli;

  @BeforeEach
  void newWorld() throws IOException {
    for (String program : List.of("pass", "gpg", "gpgconf")) {
      boolean installed = Files.isExecutable(Path.of("/usr/bin", program));
      if (!installed && "1".equals(System.getenv("CREDSTORE_REQUIRE_PASS"))) {
        fail(program + " is not installed, and CREDSTORE_REQUIRE_PASS=1 requires it");
      }
      Assumptions.assumeTrue(installed, program + " is not installed (apt-get install pass gnupg)");
    }
    temp = Files.createTempDirectory(Path.of("/tmp"), "cpi",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    cli = new CliProcess(temp);
    gnupg = Files.createDirectory(temp.resolve("g"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    cli.set("GNUPGHOME", gnupg.toString());
    cli.set("PASSWORD_STORE_DIR", temp.resolve("store").toString());
    cli.set("JAVA_HOME", System.getProperty("java.home"));
    cli.set("CREDSTORE_BACKEND", null);
  }

  @AfterEach
  void stopAgentAndClean() throws IOException {
    cli.start(List.of("gpgconf", "--kill", "all"), cli.home, null);
    try (var paths = Files.walk(temp)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  private String newKey(String passphrase) {
    String parameters = (passphrase == null ? "%no-protection\n" : "")
        + "Key-Type: eddsa\nKey-Curve: ed25519\n"
        + (passphrase == null ? "" : "Passphrase: " + passphrase + "\n")
        + "Subkey-Type: ecdh\nSubkey-Curve: cv25519\nName-Real: Tester\nExpire-Date: 0\n%commit\n";
    ok(cli.start(List.of("gpg", "--batch", "--pinentry-mode", "loopback", "--gen-key"),
        cli.home, parameters));
    String listing = ok(cli.start(List.of("gpg", "--batch", "--with-colons", "--list-keys"),
        cli.home, null)).out();
    return listing.lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow()
        .split(":")[9];
  }

  private static Result ok(Result result) {
    assertEquals(0, result.exitCode(), result::toString);
    return result;
  }

  private Result credstore(String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "--backend", "pass"));
    command.addAll(List.of(args));
    return cli.start(command, cli.home, stdin);
  }

  @Test
  void login_thenGet_roundTripsThroughThePasswordStore_andPassShowReadsIt() {
    ok(cli.start(List.of("pass", "init", newKey(null)), cli.home, null));
    ok(credstore("k6-token-via-pass\n", "login", "k6", "--token-stdin"));
    assertEquals("k6-token-via-pass\n", ok(credstore(null, "get", "k6")).out());
    String shown = ok(cli.start(List.of("pass", "show", "credstore/k6/default"), cli.home, null))
        .out();
    assertTrue(shown.startsWith("k6-token-via-pass\n"), shown);
  }

  @Test
  void passphraseProtectedKey_withNoCachedPassphrase_getExitsFour_withinFiveSeconds() {
    ok(cli.start(List.of("pass", "init", newKey("correct horse battery staple")), cli.home, null));
    ok(credstore("t0ken\n", "login", "k6", "--token-stdin")); // encrypting needs no passphrase
    ok(cli.start(List.of("gpgconf", "--kill", "gpg-agent"), cli.home, null)); // empty its cache
    long start = System.nanoTime();
    Result get = credstore(null, "get", "k6");
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(4, get.exitCode(), get::toString);
    assertTrue(get.err().contains("gpg-connect-agent"), get::toString);
    assertFalse(get.out().contains("t0ken"), get::toString);
    // A bound on a hang (a pinentry would wait for minutes), not a performance claim.
    assertTrue(millis < 5000, "took " + millis + " ms");
  }

  @Test
  void passBackend_withoutAGpgId_exitsFive_andSaysToRunPassInit() throws IOException {
    Files.createDirectories(temp.resolve("store"));
    Result get = credstore(null, "get", "k6");
    assertEquals(5, get.exitCode(), get::toString);
    assertTrue(get.err().contains("pass init"), get::toString);
  }

  @Test
  void statusAndDoctor_describeThePassStore_andAutoStillChoosesABuiltIn() {
    String fingerprint = newKey(null);
    ok(cli.start(List.of("pass", "init", fingerprint), cli.home, null));
    ok(cli.start(List.of("pass", "git", "init"), cli.home, null));
    Result status = ok(credstore(null, "status"));
    assertTrue(status.out().contains("store:       pass store, encrypted to " + fingerprint
        + ", git repository without a remote at " + temp.resolve("store")), status::toString);
    Result doctor = credstore(null, "doctor");
    assertTrue(doctor.out().contains("ok    pass: password store " + temp.resolve("store")
        + ", encrypted to " + fingerprint + ", git repository without a remote (never chosen by"
        + " auto: used only when named with --backend pass)"), doctor::toString);
    Result auto = ok(cli.start(List.of(LAUNCHER.toString(), "status"), cli.home, null));
    assertFalse(auto.out().startsWith("backend:     pass"), auto::toString);
    assertTrue(auto.out().contains("pass "), auto::toString);
  }
}
