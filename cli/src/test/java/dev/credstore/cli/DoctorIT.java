package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code doctor} on real files: each problem becomes one "fix" line and exit 11, then clears. */
class DoctorIT {

  private static final String PLAINTEXT = "doctor-plaintext-token-42";

  @TempDir Path temp;

  @Test
  void doctor_findsPlaintextTokensLoosePermissionsAndEnvTokens_thenPassesOnceFixed()
      throws IOException {
    CliProcess cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "doctor test passphrase");
    Path config = Files.createDirectories(cli.configHome.resolve("k6")).resolve("config.json");
    Files.writeString(config, "{\"collectors\":{\"cloud\":{\"token\":\"" + PLAINTEXT + "\"}}}");
    assertEquals(0, cli.runWithInput("tok\n", "login", "upsun", "--token-stdin").exitCode());
    Files.setPosixFilePermissions(cli.storeFile(), PosixFilePermissions.fromString("rw-r--r--"));
    cli.set("K6_CLOUD_TOKEN", "from-env");

    CliProcess.Result sick = cli.run("doctor");
    assertEquals(11, sick.exitCode(), sick.toString());
    assertTrue(sick.out().contains("fix   plaintext: ~/config/k6/config.json holds a k6 token in"
        + " plaintext; run: credstore migrate"), sick.out());
    assertTrue(sick.out().contains("fix   file store: ~/data/credstore/credentials.cstore has mode"
        + " rw-r--r--; run: chmod 600"), sick.out());
    assertTrue(sick.out().contains("note  environment: K6_CLOUD_TOKEN is set"), sick.out());
    assertTrue(sick.out().contains("ok    store: would use file (named by CREDSTORE_BACKEND)"),
        sick.out());
    assertFalse(sick.out().contains(PLAINTEXT) || sick.err().contains(PLAINTEXT),
        "doctor printed the token");
    assertTrue(sick.out().lines().allMatch(l -> l.matches("(ok|note|fix) {2,4}[^ ].*")),
        "one line per finding:\n" + sick.out());

    Files.setPosixFilePermissions(cli.storeFile(), PosixFilePermissions.fromString("rw-------"));
    cli.set("K6_CLOUD_TOKEN", null);
    assertEquals(0, cli.run("migrate").exitCode());
    CliProcess.Result well = cli.run("doctor", "--json");
    assertEquals(0, well.exitCode(), well.toString());
    assertFalse(well.out().contains("\"fix\""), well.out());
    assertTrue(well.out().contains("holds no token"), well.out());
  }

  @Test
  void doctor_reportsTheVerdictTheStoreApplies_forAnOpenDirectory_andAStoreDirectlyInTmp()
      throws IOException {
    CliProcess cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "doctor test passphrase");
    assertEquals(0, cli.runWithInput("tok\n", "login", "upsun", "--token-stdin").exitCode());
    Path directory = cli.storeFile().getParent();
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    String verdict = "~/data/credstore has mode rwxr-xr-x; run: chmod 700 ~/data/credstore";

    CliProcess.Result doctor = cli.run("doctor");
    assertEquals(11, doctor.exitCode(), doctor.toString());
    assertTrue(doctor.out().contains("fix   file store: " + verdict), doctor.out());
    CliProcess.Result list = cli.run("list");
    assertEquals(8, list.exitCode(), list.toString());
    assertTrue(list.err().contains(directory + " has mode rwxr-xr-x; run: chmod 700 "
        + directory), list.toString());

    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
    assertEquals(0, cli.run("list").exitCode());
    Path inTmp = Path.of("/tmp", "credstore-doctor-" + ProcessHandle.current().pid() + ".cstore");
    cli.set("CREDSTORE_STORE", inTmp.toString());
    CliProcess.Result login = cli.runWithInput("tok\n", "login", "k6", "--token-stdin");
    assertEquals(8, login.exitCode(), login.toString());
    assertTrue(login.err().contains("/tmp is a shared directory"), login.toString());
    assertFalse(Files.exists(inTmp), "nothing written directly in /tmp");
    Files.deleteIfExists(Path.of(inTmp + ".lock"));
  }

  @Test
  void doctor_withASecretService_reportsTheKeychainReady() {
    String bus = System.getenv("DBUS_SESSION_BUS_ADDRESS");
    org.junit.jupiter.api.Assumptions.assumeTrue(bus != null,
        "needs a session bus (run under scripts/with-secret-service)");
    CliProcess cli;
    try {
      cli = new CliProcess(temp);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    cli.set("DBUS_SESSION_BUS_ADDRESS", bus).set("CREDSTORE_BACKEND", null);
    CliProcess.Result result = cli.run("doctor");
    assertEquals(0, result.exitCode(), result.toString());
    assertTrue(result.out().contains("ok    keychain: Secret Service on the session bus"),
        result.out());
    assertTrue(result.out().contains("ok    store: would use keychain"), result.out());
  }
}
