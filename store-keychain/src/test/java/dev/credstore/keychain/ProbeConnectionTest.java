package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Select-then-open costs one bus connection, not one per step: the probe's connection is handed to
 * the open that follows. Counted on the real bus: live connections are its unique names, and the
 * bus numbers every new connection's name one higher than the last (":1.N"), so the names of two
 * dbus-send calls tell how many connections were made between them.
 */
class ProbeConnectionTest {

  @TempDir
  Path data;

  private StoreOptions options;

  @BeforeEach
  void requireSecretService() {
    SecretServiceTesting.assumeSecretService(data);
    options = SecretServiceTesting.options(data);
  }

  @Test
  void openAfterProbe_reusesTheProbesConnection_andCloseReleasesIt() throws Exception {
    int before = settledConnections(-1);
    long firstName = newestName();
    KeychainStoreProvider provider = new KeychainStoreProvider();
    Probe probe = provider.probe(options);
    assertEquals(Probe.State.READY, probe.state());
    try (CredentialStore store = probe.open(provider, options)) {
      assertTrue(store.get(CredentialId.of("credstore-probe-test", "default")).isEmpty());
      assertEquals(1, newestName() - firstName - 1, "connections made by probe, open and get");
      assertEquals(before + 1, settledConnections(before + 1));
    }
    assertEquals(before, settledConnections(before), "close releases it");
  }

  @Test
  void unopenedProbe_ownsItsConnection_untilClosed() throws Exception {
    int before = settledConnections(-1);
    KeychainStoreProvider provider = new KeychainStoreProvider();
    Probe first = provider.probe(options);
    Probe second = provider.probe(options);
    assertEquals(before + 2, settledConnections(before + 2), "each probe holds its own");
    first.close();
    assertEquals(before + 1, settledConnections(before + 1), "closing a probe releases it");
    try (CredentialStore store = second.open(provider, options)) {
      second.close(); // opened: the store owns the connection now
      assertTrue(store.get(CredentialId.of("credstore-probe-test", "default")).isEmpty());
    }
    assertEquals(before, settledConnections(before));
  }

  @Test
  void openWithoutProbe_connectsOnce() throws Exception {
    int before = settledConnections(-1);
    try (CredentialStore store = new KeychainStoreProvider().open(options)) {
      assertTrue(store.get(CredentialId.of("credstore-probe-test", "default")).isEmpty());
      assertEquals(before + 1, settledConnections(before + 1));
    }
    assertEquals(before, settledConnections(before));
  }

  /**
   * Connections on the session bus (unique names, dbus-send's own included). The bus drops a
   * closed connection asynchronously, so this waits up to 5 s for {@code expected}; -1 waits for
   * two equal readings.
   */
  private static int settledConnections(int expected) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    int last = count();
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      int now = count();
      if (expected >= 0 ? now == expected : now == last) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private static int count() throws IOException, InterruptedException {
    return uniqueNames().size();
  }

  /** The number N of the newest connection's name ":1.N": dbus-send's own, made just now. */
  private static long newestName() throws IOException, InterruptedException {
    return uniqueNames().stream()
        .mapToLong(name -> Long.parseLong(name.substring(name.lastIndexOf('.') + 1)))
        .max().orElseThrow();
  }

  private static List<String> uniqueNames() throws IOException, InterruptedException {
    Process process = new ProcessBuilder("dbus-send", "--session", "--print-reply",
        "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String reply = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), "dbus-send ListNames");
    return reply.lines().map(String::trim).filter(line -> line.startsWith("string \":"))
        .map(line -> line.substring("string \"".length(), line.length() - 1))
        .collect(Collectors.toList());
  }
}
