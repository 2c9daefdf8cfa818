package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No session bus, a bus without a Secret Service, and a locked collection: each must give the
 * documented answer within a bounded time, and a JVM that met them must still exit. Times are
 * printed for the record, asserted only as generous no-hang bounds.
 */
class KeychainFailureModesTest {

  private static final long NO_HANG_SECONDS = 60;

  @TempDir
  Path data;

  @Test
  void noSessionBus_probeIsUnavailable_andOpenFails_fast() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.remove(KeychainStoreProvider.BUS_VARIABLE);
    StoreOptions options = StoreOptions.builder().dataDirectory(data).environment(env).build();
    KeychainStoreProvider provider = new KeychainStoreProvider("Linux");
    long start = System.nanoTime();
    Probe availability = provider.probe(options);
    long probeMs = (System.nanoTime() - start) / 1_000_000;
    assertFalse(availability.usable());
    assertTrue(availability.reason().contains("DBUS_SESSION_BUS_ADDRESS"), availability.reason());
    start = System.nanoTime();
    assertThrows(BackendUnavailableException.class, () -> provider.open(options));
    long openMs = (System.nanoTime() - start) / 1_000_000;
    System.out.println("[timing] no bus: probe " + probeMs + " ms, open failure " + openMs + " ms");
    assertTrue(probeMs < 1000, "probe took " + probeMs + " ms");
  }

  @Test
  void noSessionBus_childJvm_reportsUnavailable_andExits() throws Exception {
    Map<String, String> result = runChild(List.of("nobus"), env -> env.remove(
        KeychainStoreProvider.BUS_VARIABLE));
    assertEquals("false", result.get("probe.available"));
    assertEquals("BackendUnavailableException", result.get("open"));
  }

  @Test
  void busWithoutSecretService_isUnavailable_withoutActivatingOne() throws Exception {
    requireTool("dbus-daemon");
    Process daemon = new ProcessBuilder("dbus-daemon", "--session", "--nofork",
        "--print-address=1").redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String address = new BufferedReader(new InputStreamReader(daemon.getInputStream(),
          StandardCharsets.UTF_8)).readLine();
      StoreOptions options = StoreOptions.builder().dataDirectory(data)
          .environment(Map.of(KeychainStoreProvider.BUS_VARIABLE, address)).build();
      long start = System.nanoTime();
      Probe availability = new KeychainStoreProvider("Linux").probe(options);
      long probeMs = (System.nanoTime() - start) / 1_000_000;
      assertFalse(availability.usable());
      assertTrue(availability.reason().contains("no Secret Service"), availability.reason());
      Map<String, String> result = runChild(List.of("noservice"),
          env -> env.put(KeychainStoreProvider.BUS_VARIABLE, address));
      assertEquals("false", result.get("probe.available"));
      assertEquals("BackendUnavailableException", result.get("open"));
      System.out.println("[timing] bus without Secret Service: probe " + probeMs
          + " ms in-process, " + result.get("probe.ms") + " ms in a fresh JVM; open failure "
          + result.get("open.ms") + " ms");
    } finally {
      daemon.destroy();
      daemon.waitFor(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void lockedCollection_givesAuthenticationErrors_withoutPrompt() throws Exception {
    requireTool("dbus-run-session");
    requireTool("gnome-keyring-daemon");
    requireTool("dbus-send");
    Path script = Path.of("..", "scripts", "with-secret-service").toAbsolutePath();
    assertTrue(Files.isExecutable(script), script + " is missing");
    Map<String, String> result = runChild(List.of(script.toString()), "locked", env -> { });
    assertEquals("0", result.get("lock.exit"));
    assertEquals("true", result.get("probe.available"), "locked still counts as available");
    assertTrue(result.get("probe.reason").contains("locked"), result.get("probe.reason"));
    assertEquals("AuthenticationException", result.get("get"));
    assertEquals("AuthenticationException", result.get("put"));
    assertEquals("AuthenticationException", result.get("delete"));
    assertEquals("AuthenticationException", result.get("open"));
    System.out.println("[timing] locked collection: probe " + result.get("probe.ms") + " ms, get "
        + result.get("get.ms") + " ms, put " + result.get("put.ms") + " ms, open "
        + result.get("open.ms") + " ms");
  }

  private interface EnvEdit {
    void apply(Map<String, String> env);
  }

  private Map<String, String> runChild(List<String> scenario, EnvEdit edit) throws Exception {
    return runChild(List.of(), scenario.get(0), edit);
  }

  private Map<String, String> runChild(List<String> wrapper, String scenario, EnvEdit edit)
      throws Exception {
    List<String> command = new ArrayList<>(wrapper);
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(KeychainChild.class.getName());
    command.add(scenario);
    command.add(data.toString());
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    edit.apply(builder.environment());
    long start = System.nanoTime();
    Process child = builder.start();
    byte[] out = child.getInputStream().readAllBytes();
    if (!child.waitFor(NO_HANG_SECONDS, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      fail("child JVM for '" + scenario + "' did not exit within " + NO_HANG_SECONDS + " s");
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    String text = new String(out, StandardCharsets.UTF_8);
    System.out.println("[timing] child JVM '" + scenario + "' ran and exited in " + ms + " ms");
    Map<String, String> result = new HashMap<>();
    text.lines().filter(l -> l.contains("=")).forEach(l -> result.put(
        l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
    assertEquals("true", result.get("done"), "child output:\n" + text);
    assertEquals(0, child.exitValue(), "child output:\n" + text);
    return result;
  }

  private static void requireTool(String tool) throws IOException {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) {
        return;
      }
    }
    String why = tool + " is not installed";
    if ("1".equals(System.getenv(SecretServiceTesting.REQUIRE))) {
      fail(why + "; " + SecretServiceTesting.REQUIRE + "=1 makes this a failure");
    }
    System.err.println("[credstore] test skipped: " + why);
    Assumptions.abort(why);
  }
}
