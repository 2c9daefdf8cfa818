package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.cli.CliProcess.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What bin/credstore does so that a crash or a helper process cannot spill secrets: no core dump,
 * the JVM's error report in a private directory, and a CDS training run started with only what it
 * needs from the environment.
 */
class LauncherHardeningIT {

  private static final Path LAUNCHER =
      Path.of(System.getProperty("credstore.launcher", "../bin/credstore")).toAbsolutePath();
  private static final String PASSPHRASE = "hardening-test passphrase";
  private static final String TOKEN = "tok-hardening-7c1d";

  @TempDir Path temp;
  private CliProcess cli;

  @BeforeEach
  void setUp() {
    try {
      cli = new CliProcess(temp);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    cli.set("JAVA_HOME", System.getProperty("java.home"));
    cli.set("CREDSTORE_PASSPHRASE", PASSPHRASE);
  }

  @Test
  void crashDuringExec_leavesNoCoreAndNoErrorFileInTheWorkingDirectory() throws Exception {
    Result login = launch(cli.home, TOKEN + "\n", "login", "k6", "--token-stdin");
    assertEquals(0, login.exitCode(), login::toString);
    Path workdir = Files.createDirectories(temp.resolve("workdir"));

    List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString(), "exec", "k6", "--",
        "sleep", "60"));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workdir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(temp.resolve("exec.err").toFile());
    builder.environment().clear();
    builder.environment().putAll(cli.environment);
    Process jvm = builder.start(); // the launcher execs java: this pid is the JVM's
    try {
      awaitChild(jvm, temp.resolve("exec.err"));
      assertEquals("0", coreLimit(jvm.pid()), "RLIMIT_CORE of the credstore JVM");
      new ProcessBuilder("kill", "-SEGV", Long.toString(jvm.pid())).start().waitFor();
      assertTrue(jvm.waitFor(60, TimeUnit.SECONDS), "the JVM ended after SIGSEGV");
      assertTrue(jvm.exitValue() != 0, "a crash is not a success");
    } finally {
      jvm.descendants().forEach(ProcessHandle::destroyForcibly);
      jvm.destroyForcibly();
    }
    try (Stream<Path> left = Files.list(workdir)) {
      assertEquals(List.of(), left.toList(), "files the crash left in the working directory");
    }
    Path cache = cli.home.resolve("cache/credstore");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cache)));
    try (Stream<Path> reports = Files.list(cache)) {
      List<Path> errorFiles = reports
          .filter(p -> p.getFileName().toString().startsWith("hs_err_pid")).toList();
      assertEquals(1, errorFiles.size(), "the JVM's error report, in the private cache");
      String report = Files.readString(errorFiles.get(0), StandardCharsets.ISO_8859_1);
      assertFalse(report.contains(PASSPHRASE), "the passphrase in the error report");
    }
  }

  @Test
  void trainingRun_inheritsNoSecretsFromTheEnvironment() throws Exception {
    // A java that records each run's environment and arguments, then runs the real one.
    Path jdk = Files.createDirectories(temp.resolve("jdk/bin"));
    Path log = Files.createDirectories(temp.resolve("javalog"));
    Path realJava = Path.of(System.getProperty("java.home"), "bin", "java");
    Path java = jdk.resolve("java");
    Files.writeString(java, "#!/bin/sh\n"
        + "env > '" + log + "'/env.$$\n"
        + "printf '%s\\n' \"$@\" > '" + log + "'/args.$$\n"
        + "exec '" + realJava + "' \"$@\"\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwx------"));
    Files.copy(Path.of(System.getProperty("java.home"), "release"),
        jdk.getParent().resolve("release"));
    cli.set("JAVA_HOME", jdk.getParent().toString());
    cli.set("K6_CLOUD_TOKEN", TOKEN);
    cli.set("SOME_UNRELATED_SETTING", "1");

    Result version = launch(cli.home, null, "--version");
    assertEquals(0, version.exitCode(), version::toString);

    Map<String, String> training = awaitTrainingEnvironment(log);
    assertFalse(training.containsKey("CREDSTORE_PASSPHRASE"), () -> "training env: " + training);
    assertFalse(training.containsKey("K6_CLOUD_TOKEN"), () -> "training env: " + training);
    assertFalse(training.containsKey("SOME_UNRELATED_SETTING"), () -> "training env: " + training);
    assertTrue(training.keySet().stream().allMatch(
        name -> List.of("PATH", "HOME", "TMPDIR", "PWD").contains(name)),
        () -> "training env: " + training.keySet());
  }

  private Result launch(Path directory, String stdin, String... args) {
    List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString()));
    command.addAll(List.of(args));
    return cli.start(command, directory, stdin);
  }

  /** Waits until the exec'd child runs, so the JVM is past start-up and holds the token. */
  private static void awaitChild(Process jvm, Path stderr) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      // The command itself, not the launcher's background CDS training, also a descendant.
      if (jvm.descendants().anyMatch(child -> child.info().command()
          .map(command -> command.endsWith("/sleep")).orElse(false))) {
        return;
      }
      if (!jvm.isAlive()) {
        throw new AssertionError("credstore exec ended early with " + jvm.exitValue() + ": "
            + Files.readString(stderr));
      }
      Thread.sleep(100);
    }
    throw new AssertionError("credstore exec started no child within 60 s");
  }

  private static String coreLimit(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/limits"))) {
      if (line.startsWith("Max core file size")) {
        return line.substring("Max core file size".length()).trim().split("\\s+")[0];
      }
    }
    throw new AssertionError("no core limit in /proc/" + pid + "/limits");
  }

  private static Map<String, String> awaitTrainingEnvironment(Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(log)) {
        for (Path args : files.filter(p -> p.getFileName().toString().startsWith("args."))
            .toList()) {
          if (Files.readString(args).contains("CacheTraining")) {
            Path env = log.resolve("env." + args.getFileName().toString().substring(5));
            Map<String, String> variables = new TreeMap<>();
            for (String line : Files.readAllLines(env)) {
              int eq = line.indexOf('=');
              if (eq > 0) {
                variables.put(line.substring(0, eq), line.substring(eq + 1));
              }
            }
            return variables;
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no training run was started within 120 s");
  }
}
