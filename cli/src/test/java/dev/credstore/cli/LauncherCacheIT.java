package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/credstore's class-data-sharing archive: made in the background, private, never in stdout. */
class LauncherCacheIT {

  private static final Path LAUNCHER =
      Path.of(System.getProperty("credstore.launcher", "../bin/credstore")).toAbsolutePath();

  @TempDir Path temp;
  private CliProcess cli;
  private Path cache;

  @BeforeEach
  void setUp() throws IOException {
    cli = new CliProcess(temp);
    cli.set("JAVA_HOME", System.getProperty("java.home"));
    cli.set("CREDSTORE_PASSPHRASE", "launcher test passphrase");
    cache = cli.home.resolve("cache");
  }

  @Test
  void firstRun_makesAPrivateArchive_thatLaterRunsUse_withCleanOutput() throws Exception {
    Result login = launch("tok-launcher\n", "login", "k6", "--token-stdin");
    assertEquals(0, login.exitCode(), login::toString);
    Path dir = cache.resolve("credstore");
    awaitTrainingDone(dir);
    List<Path> archives = archives(dir);
    assertEquals(1, archives.size(), () -> "archives in " + dir + ": " + archives);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    String name = archives.get(0).getFileName().toString();
    assertTrue(name.startsWith("credstore-" + Runtime.version().feature() + "."), name);

    Result get = launch(null, "get", "k6");
    assertEquals(0, get.exitCode(), get::toString);
    assertEquals("tok-launcher\n", get.out(), "nothing but the secret on stdout");
    assertEquals(1, archives(dir).size(), "a matching archive is reused, not remade");
  }

  /**
   * The training run must cover what a get needs: one class missing from the archive makes the
   * JVM open and index the jar (bench/README.md). Checked with the JVM's class-loading log.
   */
  @Test
  void getFromEitherStore_loadsEveryClassFromTheArchive() throws Exception {
    String bus = System.getenv("DBUS_SESSION_BUS_ADDRESS");
    if (bus == null && "1".equals(System.getenv("CREDSTORE_REQUIRE_SECRET_SERVICE"))) {
      fail("no session bus, and CREDSTORE_REQUIRE_SECRET_SERVICE=1 requires one");
    }
    String service = "launcher-" + UUID.randomUUID().toString().substring(0, 8);
    List<String> backends = bus == null ? List.of("file") : List.of("file", "keychain");
    if (bus != null) {
      cli.set("DBUS_SESSION_BUS_ADDRESS", bus);
    }
    try {
      for (String backend : backends) {
        cli.set("CREDSTORE_BACKEND", backend);
        Result login = launch("tok-" + backend + "\n", "login", service, "--token-stdin");
        assertEquals(0, login.exitCode(), login::toString);
      }
      awaitTrainingDone(cache.resolve("credstore"));
      for (String backend : backends) {
        Path log = temp.resolve("classes-" + backend + ".txt");
        cli.set("CREDSTORE_BACKEND", backend)
            .set("CREDSTORE_JAVA_OPTS", "-Xlog:class+load:file=" + log);
        Result get = launch(null, "get", service);
        assertEquals("tok-" + backend + "\n", get.out(), get::toString);
        List<String> lines = Files.readAllLines(log);
        List<String> fromJar = lines.stream().filter(l -> l.contains("source: file:")).toList();
        assertEquals(List.of(), fromJar, backend + " get loaded classes from the jar");
        assertTrue(lines.stream().filter(l -> l.contains("shared objects file")).count() > 1000,
            backend + " get did not use the archive");
      }
    } finally {
      cli.set("CREDSTORE_JAVA_OPTS", null);
      for (String backend : backends) {
        cli.set("CREDSTORE_BACKEND", backend);
        launch(null, "logout", service);
      }
    }
  }

  /** The same for a get answered by the unlock agent: no passphrase, no KDF, one connect. */
  @Test
  void getFromUnlockedFileStore_loadsEveryClassFromTheArchive() throws Exception {
    Path runtime = Files.createDirectory(temp.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    cli.set("XDG_RUNTIME_DIR", runtime.toString());
    Result login = launch("tok-unlocked\n", "login", "k6", "--token-stdin");
    assertEquals(0, login.exitCode(), login::toString);
    awaitTrainingDone(cache.resolve("credstore"));
    Result unlock = launch(null, "unlock", "--for", "2m");
    assertEquals(0, unlock.exitCode(), unlock::toString);
    try {
      cli.set("CREDSTORE_PASSPHRASE", null);
      Path log = temp.resolve("classes-unlocked.txt");
      cli.set("CREDSTORE_JAVA_OPTS", "-Xlog:class+load:file=" + log);
      Result get = launch(null, "get", "k6");
      cli.set("CREDSTORE_JAVA_OPTS", null);
      assertEquals("tok-unlocked\n", get.out(), get::toString);
      List<String> lines = Files.readAllLines(log);
      List<String> fromJar = lines.stream().filter(l -> l.contains("source: file:")).toList();
      assertEquals(List.of(), fromJar, "unlocked get loaded classes from the jar");
      assertTrue(lines.stream().filter(l -> l.contains("shared objects file")).count() > 1000,
          "unlocked get did not use the archive");
      // The agent decrypts: the command itself sets up no JDK cipher (nor its policy files).
      assertEquals(List.of(), lines.stream().filter(l -> l.contains(" javax.crypto.Cipher source")
          || l.contains(" javax.crypto.JceSecurity source")).toList(),
          "unlocked get set up the JDK's cipher instead of asking the agent");
    } finally {
      cli.set("CREDSTORE_JAVA_OPTS", null);
      launch(null, "lock");
    }
  }

  @Test
  void cacheDirectoryOpenToOthers_isNotUsed() throws Exception {
    Path dir = Files.createDirectories(cache.resolve("credstore"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
    Result version = launch(null, "--version");
    assertEquals(0, version.exitCode(), version::toString);
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(), files.toList());
    }
  }

  @Test
  void cdsOff_makesNoArchive() throws Exception {
    cli.set("CREDSTORE_CDS", "0");
    Result version = launch(null, "--version");
    assertEquals(0, version.exitCode(), version::toString);
    assertTrue(!Files.exists(cache.resolve("credstore")), "no cache directory");
  }

  private Result launch(String stdin, String... args) {
    List<String> command = new java.util.ArrayList<>(List.of("sh", LAUNCHER.toString()));
    command.addAll(List.of(args));
    return cli.start(command, cli.home, stdin);
  }

  /** Waits (bounded) until the background training run has finished and released its lock. */
  private static void awaitTrainingDone(Path dir) throws Exception {
    long deadline = System.nanoTime() + 180_000_000_000L;
    while (System.nanoTime() < deadline) {
      boolean locked;
      try (Stream<Path> files = Files.list(dir)) {
        locked = files.anyMatch(p -> p.toString().endsWith(".lock"));
      }
      if (!locked && !archives(dir).isEmpty()) {
        return;
      }
      if (!locked) {
        break;
      }
      Thread.sleep(200);
    }
    assertTrue(!archives(dir).isEmpty(), "no archive was made in " + dir);
  }

  private static List<Path> archives(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".jsa") || p.toString().endsWith(".aot"))
          .toList();
    }
  }
}
