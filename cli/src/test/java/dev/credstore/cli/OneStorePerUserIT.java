package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.io.TempDir;

/**
 * One user, one store, whatever the session: the first write remembers its backend, a cron job
 * without a bus never opens an empty file store for a keychain user, and status names credentials
 * kept in the store not in use. On the real gnome-keyring of scripts/with-secret-service.
 *
 * <p>Isolated: {@code logout --all} here empties the one test keychain that every integration
 * test shares, so no other test may hold keychain items meanwhile.
 */
@Isolated
class OneStorePerUserIT {

  @TempDir Path temp;
  private CliProcess cli;
  private String bus;
  private final String service = "credstore-it-" + UUID.randomUUID().toString().substring(0, 8);

  @BeforeEach
  void newHome() throws IOException {
    bus = System.getenv("DBUS_SESSION_BUS_ADDRESS");
    if (bus == null && "1".equals(System.getenv("CREDSTORE_REQUIRE_SECRET_SERVICE"))) {
      fail("no session bus, and CREDSTORE_REQUIRE_SECRET_SERVICE=1 requires one");
    }
    Assumptions.assumeTrue(bus != null, "needs a Secret Service (scripts/with-secret-service)");
    cli = new CliProcess(temp);
    cli.set("CREDSTORE_BACKEND", null).set("CREDSTORE_PASSPHRASE", "correct horse battery");
  }

  @Test
  void firstWriteInCronWithoutBus_remembersTheFile_andADesktopSessionReadsIt() throws Exception {
    cli.set("DBUS_SESSION_BUS_ADDRESS", null);
    Result login = cli.runWithInput("cron-token\n", "login", service, "--token-stdin");
    assertEquals(0, login.exitCode(), login::toString);
    assertTrue(login.err().contains("now in the file backend; remembered in"), login::toString);
    Path memory = cli.configHome.resolve("credstore/backend.json");
    assertTrue(Files.readString(memory).contains("\"backend\": \"file\""));

    cli.set("DBUS_SESSION_BUS_ADDRESS", bus); // the desktop session
    Result get = cli.run("get", service);
    assertEquals(0, get.exitCode(), get::toString);
    assertEquals("cron-token\n", get.out());
    Result again = cli.runWithInput("second\n", "login", service + "-2", "--token-stdin");
    assertFalse(again.err().contains("remembered in"), "remembered once: " + again);
  }

  @Test
  void keychainUser_inCronWithoutBus_exitsFive_sayingHowToReachTheKeychain() throws Exception {
    cli.set("DBUS_SESSION_BUS_ADDRESS", bus);
    Result login = cli.runWithInput("desktop-token\n", "login", service, "--token-stdin");
    try {
      assertEquals(0, login.exitCode(), login::toString);
      assertTrue(login.err().contains("now in the keychain backend; remembered in"),
          login::toString);

      cli.set("DBUS_SESSION_BUS_ADDRESS", null); // cron
      Result get = cli.run("get", service);
      assertEquals(5, get.exitCode(), get::toString);
      assertEquals(1, get.err().lines().count(), get::toString);
      assertTrue(get.err().contains("keeps your credentials in the keychain backend"), get::toString);
      assertTrue(get.err().contains("DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/"),
          get::toString);
      assertTrue(get.err().contains("--backend file"), get::toString);
      Result cronLogin = cli.runWithInput("cron-token\n", "login", service, "--token-stdin",
          "--force");
      assertEquals(5, cronLogin.exitCode(), cronLogin::toString);
      assertFalse(Files.exists(cli.storeFile()), "no empty file store was opened");
    } finally {
      cli.set("DBUS_SESSION_BUS_ADDRESS", bus);
      cli.run("logout", service);
    }
  }

  @Test
  void status_namesCredentialsInTheStoreNotInUse() throws Exception {
    cli.set("DBUS_SESSION_BUS_ADDRESS", bus);
    Result login = cli.runWithInput("file-token\n", "login", service, "--token-stdin",
        "--backend", "file");
    assertEquals(0, login.exitCode(), login::toString);
    Result status = cli.run("status");
    assertEquals(0, status.exitCode(), status::toString);
    assertTrue(status.out().contains("backend:     keychain (auto: "), status::toString);
    assertTrue(status.out().contains("stores not in use that hold credentials:\n  file: "
        + "encrypted file "), status::toString);
    Result get = cli.run("get", service);
    assertEquals(3, get.exitCode(), get::toString);
    assertTrue(get.err().contains("credentials also exist in file: encrypted file"),
        get::toString);
    Result doctor = cli.run("doctor");
    assertTrue(doctor.out().contains("credentials also exist in a store not in use: file:"),
        doctor::toString);
  }

  @Test
  void keychain_listAndLogoutAll_needNoIndex_andLeaveNoCredstoreItem() throws Exception {
    cli.set("DBUS_SESSION_BUS_ADDRESS", bus).set("CREDSTORE_BACKEND", "keychain");
    for (String s : new String[] {service, service + "-2"}) {
      Result login = cli.runWithInput("tok-" + s + "\n", "login", s, "--token-stdin",
          "--project", "7");
      assertEquals(0, login.exitCode(), login::toString);
    }
    assertFalse(Files.exists(cli.dataHome.resolve("credstore/keychain-index.json")));
    Result list = cli.run("list");
    assertTrue(list.out().contains(service + " ") && list.out().contains(service + "-2"),
        list::toString);
    Result all = cli.run("logout", "--all", "--yes");
    assertEquals(0, all.exitCode(), all::toString);
    for (String s : new String[] {service, service + "-2"}) {
      assertEquals("", secretTool("search", "--all", "application", "credstore", "service", s));
    }
  }

  private static String secretTool(String... args) throws Exception {
    String[] command = new String[args.length + 1];
    command[0] = "secret-tool";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    return out;
  }
}
