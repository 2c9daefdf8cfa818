package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the shaded {@code credstore.jar} as a child process in a private home directory, with a clean
 * environment (nothing of the developer's CREDSTORE_*, K6_CLOUD_TOKEN, D-Bus session...) and no
 * console: standard input is a pipe. Remembers every run so that tests can scan all output and
 * every child's command line for secrets.
 */
final class CliProcess {

  static final Path JAR = Path.of(System.getProperty("credstore.jar", "target/credstore.jar"));
  static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

  final Path home;
  final Path configHome;
  final Path dataHome;
  final Map<String, String> environment = new HashMap<>();
  final List<Result> results = Collections.synchronizedList(new ArrayList<>());
  final List<String> commandLines = Collections.synchronizedList(new ArrayList<>());
  private final Path scratch;

  CliProcess(Path temp) throws IOException {
    assertTrue(Files.isRegularFile(JAR), JAR + " is missing; run mvn verify, which packages first");
    home = Files.createDirectories(temp.resolve("home"));
    configHome = Files.createDirectories(home.resolve("config"));
    dataHome = home.resolve("data");
    scratch = Files.createDirectories(temp.resolve("scratch"));
    environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    environment.put("HOME", home.toString());
    environment.put("XDG_CONFIG_HOME", configHome.toString());
    environment.put("XDG_DATA_HOME", dataHome.toString());
    environment.put("XDG_CACHE_HOME", home.resolve("cache").toString());
    environment.put("LANG", "C.UTF-8");
    // The file backend unless a test says otherwise, so that results do not depend on whether a
    // keychain backend is on the class path.
    environment.put("CREDSTORE_BACKEND", "file");
  }

  /** The file store's default location under this home. */
  Path storeFile() {
    return dataHome.resolve("credstore/credentials.cstore");
  }

  CliProcess set(String variable, String value) {
    if (value == null) {
      environment.remove(variable);
    } else {
      environment.put(variable, value);
    }
    return this;
  }

  Result run(String... args) {
    return runWithInput(null, args);
  }

  /** Runs with {@code stdin} piped in (null: empty, closed input). */
  Result runWithInput(String stdin, String... args) {
    return runIn(home, stdin, args);
  }

  Result runIn(Path directory, String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of(JAVA.toString(), "-XX:+UseSerialGC",
        "-XX:-UsePerfData", "-Xshare:auto", "-jar", JAR.toString()));
    command.addAll(List.of(args));
    return start(command, directory, stdin);
  }

  Result start(List<String> command, Path directory, String stdin) {
    try {
      Path out = Files.createTempFile(scratch, "out", ".txt");
      Path err = Files.createTempFile(scratch, "err", ".txt");
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
          .redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().clear();
      builder.environment().putAll(environment);
      Process process = builder.start();
      recordCommandLine(process.pid());
      try (OutputStream in = process.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException closedEarly) {
        // The command may exit without reading its input; that is its right.
      }
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        fail("credstore " + command + " did not finish within 60 s");
      }
      Result result = new Result(process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8), List.copyOf(command));
      results.add(result);
      return result;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  // What ps would show: the child's argv, read while it still runs.
  private void recordCommandLine(long pid) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline"));
      commandLines.add(new String(raw, StandardCharsets.UTF_8).replace('\0', ' '));
    } catch (IOException exitedAlready) {
      // Too quick to catch; the argv we passed is in results anyway.
    }
  }

  record Result(int exitCode, String out, String err, List<String> command) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }
}
