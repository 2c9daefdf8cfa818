package dev.credstore.file.unlock;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.UnlockStatus;
import dev.credstore.testing.Bytes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as real processes on a real Unix socket in a private runtime directory. */
class UnlockCacheTest {

  @TempDir Path temp;
  private Path runtime;
  private Path store;
  private UnlockCache cache;
  private final byte[] key = random(32);
  private final byte[] binding = random(32);

  @BeforeEach
  void setUp() throws IOException {
    runtime = Files.createDirectory(temp.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    store = temp.resolve("data/credentials.cstore");
    cache = UnlockCache.forStore(store, Map.of("XDG_RUNTIME_DIR", runtime.toString()));
  }

  @AfterEach
  void tearDown() {
    cache.forget();
  }

  @Test
  void hold_thenDataKey_returnsTheHeldKeyForItsBindingOnly() throws Exception {
    Instant until = cache.hold(binding, key, Duration.ofSeconds(30));
    assertTrue(until.isAfter(Instant.now().plusSeconds(25)), until.toString());
    assertArrayEquals(key, cache.dataKey(binding));
    assertNull(cache.dataKey(random(32)), "another binding gets nothing");
    UnlockStatus status = cache.status(binding);
    assertEquals(UnlockStatus.State.UNLOCKED, status.state());
    assertEquals(until, status.until());
    assertEquals(UnlockStatus.State.LOCKED, cache.status(random(32)).state());
  }

  @Test
  void anotherStore_findsNothingWhileOneIsHeld() throws Exception {
    cache.hold(binding, key, Duration.ofSeconds(30));
    UnlockCache other = UnlockCache.forStore(temp.resolve("other.cstore"),
        Map.of("XDG_RUNTIME_DIR", runtime.toString()));
    assertNull(other.dataKey(binding));
    assertEquals(UnlockStatus.State.LOCKED, other.status(binding).state());
  }

  @Test
  void forget_endsTheAgentAndItsSocket() throws Exception {
    cache.hold(binding, key, Duration.ofSeconds(30));
    assertEquals(1, sockets().size());
    assertTrue(cache.forget());
    assertNull(cache.dataKey(binding));
    assertEquals(List.of(), sockets());
    assertFalse(cache.forget(), "nothing left to forget");
  }

  @Test
  void hold_whenTimeIsUp_agentForgetsAndExits() throws Exception {
    cache.hold(binding, key, Duration.ofMillis(1500));
    assertArrayEquals(key, cache.dataKey(binding));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!sockets().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertEquals(List.of(), sockets(), "the agent removes its socket when it exits");
    assertNull(cache.dataKey(binding));
    assertEquals(UnlockStatus.State.LOCKED, cache.status(binding).state());
  }

  @Test
  void hold_again_replacesTheEarlierAgent() throws Exception {
    cache.hold(binding, key, Duration.ofSeconds(30));
    byte[] newer = random(32);
    byte[] newerKey = random(32);
    cache.hold(newer, newerKey, Duration.ofSeconds(30));
    assertNull(cache.dataKey(binding));
    assertArrayEquals(newerKey, cache.dataKey(newer));
  }

  @Test
  void turnedOff_isUnavailableAndSaysWhy() {
    UnlockCache off = UnlockCache.forStore(store,
        Map.of("XDG_RUNTIME_DIR", runtime.toString(), UnlockCache.SWITCH_VARIABLE, "off"));
    assertNotNull(off.unavailableReason());
    assertTrue(off.unavailableReason().contains("CREDSTORE_UNLOCK=off"), off.unavailableReason());
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
        () -> off.hold(binding, key, Duration.ofSeconds(5)));
    assertTrue(e.getMessage().contains("CREDSTORE_UNLOCK=off"), e.getMessage());
    assertEquals(UnlockStatus.State.UNAVAILABLE, off.status(binding).state());
    assertNull(off.dataKey(binding));
  }

  @Test
  void runtimeDirectoryOpenToOthers_isUnavailable() throws IOException {
    Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
    UnlockCache open = UnlockCache.forStore(store, Map.of("XDG_RUNTIME_DIR", runtime.toString()));
    assertNotNull(open.unavailableReason());
    assertTrue(open.unavailableReason().contains("not private"), open.unavailableReason());
  }

  @Test
  void noRuntimeDirectory_isUnavailable() {
    UnlockCache none = UnlockCache.forStore(store,
        Map.of("XDG_RUNTIME_DIR", temp.resolve("missing").toString()));
    assertNotNull(none.unavailableReason());
  }

  @Test
  void staleSocketOfADeadAgent_readsAsLockedAndIsReplaced() throws Exception {
    cache.hold(binding, key, Duration.ofSeconds(30));
    Path socket = sockets().get(0);
    long pid = agentPid(socket);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
    assertTrue(Files.exists(socket), "SIGKILL leaves the socket behind");
    assertNull(cache.dataKey(binding));
    cache.hold(binding, key, Duration.ofSeconds(30));
    assertArrayEquals(key, cache.dataKey(binding));
  }

  @Test
  void anotherUid_getsNoAnswerEvenWhenItCanReachTheSocket() throws Exception {
    assumeTrue(isRoot() && Files.isExecutable(Path.of("/usr/bin/setpriv")),
        "needs root and setpriv to run a child as uid 65534");
    cache.hold(binding, key, Duration.ofSeconds(60));
    Path socket = sockets().get(0);
    // Open the way on purpose, so that only the agent's own SO_PEERCRED check stands.
    for (Path p = socket.getParent(); !p.equals(temp.getParent()); p = p.getParent()) {
      Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx--x--x"));
    }
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rwxrwxrwx"));
    Path client = temp.resolve("Client.java");
    Files.writeString(client, """
        import java.net.*; import java.nio.*; import java.nio.channels.*;
        public class Client { public static void main(String[] a) throws Exception {
          try (SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.connect(UnixDomainSocketAddress.of(a[0]));
            int total = 0;
            try {
              ByteBuffer q = ByteBuffer.allocate(33); q.put((byte) 'G');
              q.put(java.util.HexFormat.of().parseHex(a[1])); q.flip(); c.write(q);
              ByteBuffer r = ByteBuffer.allocate(64); int n;
              while ((n = c.read(r)) > 0) { total += n; }
            } catch (java.io.IOException hungUp) { System.out.println("hung up"); }
            System.out.println("connected, answer bytes: " + total);
          } } }
        """);
    Files.setPosixFilePermissions(client, PosixFilePermissions.fromString("rw-r--r--"));
    String java = ProcessHandle.current().info().command().orElseThrow();
    Process child = new ProcessBuilder("/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534",
        "--clear-groups", java, client.toString(), socket.toString(),
        HexFormat.of().formatHex(binding)).redirectErrorStream(true).start();
    assertTrue(child.waitFor(60, TimeUnit.SECONDS), "client hung");
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(output.contains("connected, answer bytes: 0"), output);
    assertArrayEquals(key, cache.dataKey(binding), "the owner is still answered");
  }

  @Test
  void heldKey_isInNoFileArgvOrEnvironment() throws Exception {
    long start = System.currentTimeMillis() - 1000;
    cache.hold(binding, key, Duration.ofSeconds(30));
    assertArrayEquals(key, cache.dataKey(binding));
    List<String> found = new ArrayList<>();
    String hex = HexFormat.of().formatHex(key);
    for (String root : new String[] {System.getProperty("user.home"),
        System.getProperty("java.io.tmpdir"), "/dev/shm", runtime.toString()}) {
      found.addAll(Bytes.filesHolding(Path.of(root), null, start, key));
    }
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : (Iterable<Path>) processes::iterator) {
        if (process.getFileName().toString().chars().allMatch(Character::isDigit)) {
          for (String part : new String[] {"cmdline", "environ"}) {
            byte[] bytes = Bytes.readOrEmpty(process.resolve(part));
            if (Bytes.contains(bytes, key)
                || Bytes.contains(bytes, hex.getBytes(StandardCharsets.US_ASCII))) {
              found.add(process.resolve(part).toString());
            }
          }
        }
      }
    }
    assertEquals(List.of(), found);
  }

  private List<Path> sockets() throws IOException {
    Path directory = runtime.resolve("credstore");
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(p -> p.toString().endsWith(".sock")).toList();
    }
  }

  private static long agentPid(Path socket) throws IOException {
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : (Iterable<Path>) processes::iterator) {
        String cmdline = new String(Bytes.readOrEmpty(process.resolve("cmdline")), StandardCharsets.UTF_8);
        if (cmdline.contains(AgentProcess.AGENT_MAIN) && cmdline.contains(socket.toString())) {
          return Long.parseLong(process.getFileName().toString());
        }
      }
    }
    throw new AssertionError("no agent process for " + socket);
  }

  private static boolean isRoot() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new SecureRandom().nextBytes(bytes);
    return bytes;
  }
}
