package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A session bus that accepts connections and never answers (a wedged dbus-daemon): the probe must
 * give up within its budget and a process that tried to open the keychain must still exit.
 */
class SilentBusTest {

  @TempDir Path directory;
  private ServerSocketChannel server;
  private final List<SocketChannel> held = new ArrayList<>();
  private String address;

  @BeforeEach
  void startSilentBus() throws IOException {
    Path socket = directory.resolve("silent-bus");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    address = "unix:path=" + socket;
    Thread acceptor = new Thread(() -> {
      try {
        while (true) {
          SocketChannel connection = server.accept();
          synchronized (held) {
            held.add(connection); // keep it open, read nothing, answer nothing
          }
        }
      } catch (IOException closed) {
        // the test is over
      }
    }, "silent-bus");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  @AfterEach
  void stopSilentBus() throws IOException {
    server.close();
    synchronized (held) {
      for (SocketChannel connection : held) {
        connection.close();
      }
    }
  }

  @Test
  void probe_onABusThatNeverAnswers_isUnavailableWithinItsBudget() {
    StoreOptions options = StoreOptions.builder().dataDirectory(directory)
        .environment(Map.of(KeychainStoreProvider.BUS_VARIABLE, address)).build();
    long start = System.nanoTime();
    Probe availability = new KeychainStoreProvider("Linux").probe(options);
    long ms = (System.nanoTime() - start) / 1_000_000;
    System.out.println("[timing] silent bus: probe " + ms + " ms: " + availability.reason());
    assertFalse(availability.usable());
    assertTrue(ms < 5_000, "probe took " + ms + " ms");
  }

  @Test
  void childJvm_onABusThatNeverAnswers_failsOpenAndExits() throws Exception {
    List<String> command = List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        KeychainChild.class.getName(), "silent", directory.resolve("data").toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().put(KeychainStoreProvider.BUS_VARIABLE, address);
    long start = System.nanoTime();
    Process child = builder.start();
    byte[] out = child.getInputStream().readAllBytes();
    if (!child.waitFor(60, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      fail("child JVM did not exit within 60 s on a silent bus");
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    Map<String, String> result = new HashMap<>();
    new String(out, StandardCharsets.UTF_8).lines().filter(l -> l.contains("="))
        .forEach(l -> result.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
    System.out.println("[timing] silent bus: child JVM probe " + result.get("probe.ms")
        + " ms, open failure " + result.get("open.ms") + " ms, whole run " + ms + " ms");
    assertEquals("false", result.get("probe.available"), result.toString());
    assertEquals("BackendUnavailableException", result.get("open"), result.toString());
    assertEquals("true", result.get("done"), result.toString());
  }
}
