package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.Secret;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real writer processes against one store file: concurrent writers lose nothing, and a writer
 * killed with SIGKILL at a random moment leaves a store that opens and holds every acknowledged
 * write. Defaults: 8 writers x 100 puts, 100 crash trials (about a minute on 2 cores); set
 * {@code -Dcredstore.crashTrials=1000}, {@code -Dcredstore.writerProcesses},
 * {@code -Dcredstore.putsPerWriter} for a longer local run, or smaller values while iterating.
 */
class MultiProcessTest {

  @TempDir Path directory;

  @Test
  void concurrentWriterProcesses_loseNoWrite() throws Exception {
    Path store = directory.resolve("shared.cstore");
    int processes = Integer.getInteger("credstore.writerProcesses", 8);
    int each = Integer.getInteger("credstore.putsPerWriter", 100);
    long start = System.nanoTime();
    List<Process> writers = new ArrayList<>();
    for (int p = 0; p < processes; p++) {
      writers.add(start("distinct", store.toString(), "p" + p, Integer.toString(each)));
    }
    for (Process writer : writers) {
      assertTrue(writer.waitFor(120, TimeUnit.SECONDS), "writer hung");
      assertEquals(0, writer.exitValue(), stderr(writer));
    }
    long wallMs = (System.nanoTime() - start) / 1_000_000;
    try (FileCredentialStore reader = TestStores.open(store)) {
      List<CredentialMetadata> all = reader.list();
      System.out.println("concurrency: " + processes + " processes x " + each + " puts, "
          + all.size() + "/" + processes * each + " present, wall " + wallMs + " ms");
      assertEquals(processes * each, all.size());
      for (CredentialMetadata metadata : all) {
        String service = metadata.id().service();
        int i = Integer.parseInt(metadata.attributes().get("write"));
        try (Credential credential = reader.get(metadata.id()).orElseThrow()) {
          assertTrue(credential.secret().sameAs(
              dev.credstore.api.Secret.of(StoreWriterMain.expectedSecret(service, i))));
        }
      }
    }
  }

  @Test
  void writerKilledMidWrite_leavesAReadableStoreWithEveryAcknowledgedWrite() throws Exception {
    int trials = Integer.getInteger("credstore.crashTrials", 100);
    Path store = directory.resolve("crash.cstore");
    Random random = new Random(20261123L);
    List<String> failures = new ArrayList<>();
    int lastAcked = -1;
    int killedMidWrite = 0;
    for (int trial = 0; trial < trials; trial++) {
      Process writer = start("churn", store.toString(), "1000000");
      BufferedReader out = new BufferedReader(
          new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
      int writesBeforeKill = 1 + random.nextInt(40);
      int acked = -1;
      String line;
      while (acked + 1 < writesBeforeKill && (line = out.readLine()) != null) {
        acked = Integer.parseInt(line.substring("acked ".length()));
      }
      Thread.sleep(random.nextInt(3)); // land somewhere inside the next write
      writer.destroyForcibly(); // SIGKILL on Linux
      writer.waitFor(30, TimeUnit.SECONDS);
      lastAcked = acked;
      try (Stream<Path> left = Files.list(directory)) {
        if (left.anyMatch(p -> p.getFileName().toString().endsWith(".tmp"))) {
          killedMidWrite++;
        }
      }
      try (FileCredentialStore reader = TestStores.open(store)) {
        List<CredentialMetadata> all = reader.list();
        // Write i stores churn-(i % 7) with attribute write=i; the last acknowledged write must
        // be there, or a later one that completed before the kill.
        String service = "churn-" + (lastAcked % 7);
        CredentialMetadata latest = all.stream().filter(m -> m.id().service().equals(service))
            .findFirst().orElse(null);
        if (latest == null || Integer.parseInt(latest.attributes().get("write")) < lastAcked) {
          failures.add("trial " + trial + ": acknowledged write " + lastAcked + " lost");
        }
      } catch (Exception e) {
        failures.add("trial " + trial + ": store unreadable after kill: " + e);
      }
    }
    try (Stream<Path> left = Files.list(directory)) {
      long temps = left.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
      assertTrue(temps <= 1, "stale temp files accumulate: " + temps);
    }
    System.out.println("crash: " + trials + " trials, " + failures.size() + " corrupt ("
        + killedMidWrite + " killed between temp-file creation and rename)");
    assertEquals(List.of(), failures);
  }

  private static Process start(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-Xshare:auto",
        "-cp", System.getProperty("java.class.path"),
        StoreWriterMain.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("CREDSTORE_PASSPHRASE", TestStores.PASSPHRASE);
    builder.redirectError(ProcessBuilder.Redirect.PIPE);
    return builder.start();
  }

  private static String stderr(Process process) throws IOException {
    return new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
  }
}
