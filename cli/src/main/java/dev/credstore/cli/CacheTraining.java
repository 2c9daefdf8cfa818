package dev.credstore.cli;

import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.StandardOutput;
import dev.credstore.cli.session.Context;
import dev.credstore.keychain.KeychainTraining;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The training run behind {@code bin/credstore}'s class-data-sharing archive (AOT cache on JDK
 * 25+): runs the common commands once, in-process, against a throw-away file store in a private
 * temp directory, so that the JVM records the classes (and on 25+ the profiles) a real command
 * needs. Touches no user data, no keychain, no network; prints nothing; deletes its directory.
 */
final class CacheTraining {

  private CacheTraining() {}

  public static void main(String[] args) throws IOException {
    Path home = Files.createTempDirectory("credstore-training",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      Map<String, String> environment = Map.of(
          "HOME", home.toString(),
          "XDG_DATA_HOME", home.resolve("data").toString(),
          "XDG_CONFIG_HOME", home.resolve("config").toString(),
          "CREDSTORE_BACKEND", "file",
          "CREDSTORE_PASSPHRASE", HexFormat.of().formatHex(random));
      run(environment, "training-token\n", "login", "cds-training", "--token-stdin");
      run(environment, "", "get", "cds-training");
      run(environment, "", "get", "cds-training", "--json");
      run(environment, "", "get", "not-there");
      run(environment, "", "list");
      run(environment, "", "list", "--json");
      run(environment, "", "status");
      run(environment, "", "--help");
      run(environment, "", "--version");
      // What a real run uses but the runs above, with no terminal, do not.
      Terminal.system().isPresent();
      trainUnlockedReadPath(home, environment);
      run(environment, "", "logout", "cds-training");
      trainKeychainReadPath(home, environment);
    } finally {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> {
          try {
            Files.deleteIfExists(path);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }

  /**
   * A get on an unlocked file store: {@code unlock} starts a real agent (for a minute at most) on a
   * socket in a private runtime directory of the training home, the gets find no passphrase and
   * ask the agent, and {@code lock} stops it before the directory is deleted.
   */
  private static void trainUnlockedReadPath(Path home, Map<String, String> environment)
      throws IOException {
    Path runtime = Files.createDirectory(home.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Map<String, String> unlocking = new HashMap<>(environment);
    unlocking.put("XDG_RUNTIME_DIR", runtime.toString());
    run(unlocking, "", "unlock", "--for", "1m");
    Map<String, String> unlocked = new HashMap<>(unlocking);
    unlocked.remove("CREDSTORE_PASSPHRASE");
    try {
      run(unlocked, "", "get", "cds-training");
      run(unlocked, "", "get", "cds-training", "--json");
      run(unlocked, "", "status");
    } finally {
      run(unlocked, "", "lock");
    }
  }

  /**
   * The keychain's read path, end to end: the CLI selects the keychain backend on a training bus
   * of store-keychain's (a Unix socket of ours whose Secret Service holds one item), which runs
   * the probe, the D-Bus client, the encrypted transfer and the item's metadata; then {@link
   * KeychainTraining} covers the rest offline. A class a real get needs but the archive lacks
   * would make the JVM open the 10k-entry jar (~10 ms); LauncherCacheIT checks that none is left.
   */
  private static void trainKeychainReadPath(Path home, Map<String, String> environment)
      throws IOException {
    Path socket = home.resolve("training-bus");
    try (AutoCloseable bus = KeychainTraining.trainingBus(socket, "cds-training")) {
      Map<String, String> keychain = new HashMap<>(environment);
      keychain.put("CREDSTORE_BACKEND", "keychain");
      keychain.put("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + socket);
      run(keychain, "", "get", "cds-training");
      run(keychain, "", "get", "cds-training", "--json");
      run(keychain, "", "get", "not-there");
      run(keychain, "", "list");
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("the training bus did not close", e);
    }
    KeychainTraining.run(home.resolve("keychain-training"));
  }

  private static void run(Map<String, String> environment, String stdin, String... args) {
    Context context = new Context(environment,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Terminal.none(),
        Clock.systemUTC());
    // Standard output as Main.main wraps it, so that its classes are archived too.
    StandardOutput stdout = StandardOutput.over(OutputStream.nullOutputStream());
    PrintWriter out = stdout.writer();
    PrintWriter err = new PrintWriter(Writer.nullWriter());
    stdout.exitCode(out, Main.run(context, out, err, args), ExitCodes.STORAGE, err);
  }
}
