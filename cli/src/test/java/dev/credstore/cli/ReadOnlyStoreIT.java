package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a read-only file system (a private read-only bind mount, made in a throw-away mount
 * namespace, so even root cannot write): reads work, writes fail with exit 8 and a clear reason,
 * and the store is unchanged with no temp file left.
 */
class ReadOnlyStoreIT {

  @TempDir Path temp;

  @Test
  void readOnlyStoreDirectory_readsWork_writesExitEight_storeUnchanged() throws Exception {
    CliProcess cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "read only test passphrase");
    assertEquals(0, cli.runWithInput("ro-token-1\n", "login", "k6", "--token-stdin").exitCode());
    Path directory = cli.storeFile().getParent();
    byte[] before = Files.readAllBytes(cli.storeFile());
    assumeReadOnlyMountsWork(directory);

    CliProcess.Result read = cli.start(readOnly(directory, "get", "k6"), cli.home, null);
    assertEquals(0, read.exitCode(), read.toString());
    assertEquals("ro-token-1\n", read.out());

    CliProcess.Result write = cli.start(readOnly(directory, "login", "upsun", "--token-stdin"),
        cli.home, "ro-token-2\n");
    assertEquals(8, write.exitCode(), write.toString());
    assertTrue(write.err().contains("Read-only file system"), write.err());
    assertEquals(1, write.err().lines().filter(l -> !l.startsWith("credstore: note:")).count(),
        write.err());

    assertArrayEquals(before, Files.readAllBytes(cli.storeFile()));
    try (var files = Files.list(directory)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  /** The command run with {@code directory} mounted read-only over itself, in a new namespace. */
  private static List<String> readOnly(Path directory, String... args) {
    StringBuilder command = new StringBuilder("mount --bind -o ro '" + directory + "' '"
        + directory + "' && exec '" + CliProcess.JAVA + "' -XX:+UseSerialGC -jar '"
        + CliProcess.JAR + "'");
    for (String arg : args) {
      command.append(" '").append(arg).append("'");
    }
    return new ArrayList<>(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
        command.toString()));
  }

  private static void assumeReadOnlyMountsWork(Path directory) throws IOException,
      InterruptedException {
    Process probe = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "sh",
        "-c", "mount --bind -o ro '" + directory + "' '" + directory + "' && ! touch '"
            + directory + "/.probe'").redirectErrorStream(true).start();
    String output = new String(probe.getInputStream().readAllBytes());
    boolean works = probe.waitFor(20, TimeUnit.SECONDS) && probe.exitValue() == 0;
    if (!works) {
      System.err.println("[credstore] read-only store test skipped: cannot make a private"
          + " read-only mount here (needs root or user namespaces): " + output.strip());
    }
    Assumptions.assumeTrue(works, "private read-only bind mounts are not permitted here");
  }
}
