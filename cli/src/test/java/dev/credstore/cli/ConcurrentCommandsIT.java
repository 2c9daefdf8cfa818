package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real credstore processes racing on one file store: logins of different credentials and
 * rotations of the same one. Nothing is lost: every login lands, and of the rotations that raced,
 * each either won (exit 0) or was refused with a conflict (exit 7); the stored token is a winner's.
 */
class ConcurrentCommandsIT {

  @TempDir Path temp;

  @Test
  void concurrentLoginsAndRotations_loseNothing() throws Exception {
    CliProcess cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "concurrency test passphrase");
    assertEquals(0, cli.runWithInput("k6-original\n", "login", "k6", "--token-stdin").exitCode());

    int logins = 4;
    int rotations = 4;
    ExecutorService pool = Executors.newFixedThreadPool(logins + rotations);
    List<Future<CliProcess.Result>> loginRuns = new ArrayList<>();
    List<Future<CliProcess.Result>> rotateRuns = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < Math.max(logins, rotations); i++) {
      int n = i;
      if (i < logins) {
        loginRuns.add(pool.submit(() -> cli.runWithInput("svc-token-" + n + "\n", "login",
            "svc-" + n, "--token-stdin")));
      }
      if (i < rotations) {
        rotateRuns.add(pool.submit(() -> cli.runWithInput("k6-rotated-" + n + "\n", "rotate",
            "k6", "--token-stdin")));
      }
    }
    pool.shutdown();

    for (Future<CliProcess.Result> run : loginRuns) {
      assertEquals(0, run.get().exitCode(), run.get().toString());
    }
    List<String> winners = new ArrayList<>();
    for (int i = 0; i < rotations; i++) {
      CliProcess.Result result = rotateRuns.get(i).get();
      assertTrue(Set.of(0, 7).contains(result.exitCode()), result.toString());
      if (result.exitCode() == 0) {
        winners.add("k6-rotated-" + i);
      }
    }
    long wallMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(!winners.isEmpty(), "no rotation succeeded");

    for (int i = 0; i < logins; i++) {
      assertEquals("svc-token-" + i + "\n", cli.run("get", "svc-" + i).out());
    }
    String current = cli.run("get", "k6").out().strip();
    assertTrue(winners.contains(current), current + " is not a winning rotation " + winners);
    System.out.println("concurrent commands: " + logins + " logins and " + rotations
        + " rotations at once: " + logins + "/" + logins + " logins stored, " + winners.size()
        + " rotations won, " + (rotations - winners.size()) + " refused with exit 7, wall "
        + wallMs + " ms");
  }
}
