package dev.credstore.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import dev.credstore.spi.Probe;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What pass users rely on: the entry format, git commits, names, locking and clear failures. */
class PassStoreTest {

  private PassTesting world;
  private Path gnupg;

  @BeforeEach
  void createStore() throws Exception {
    world = new PassTesting();
    gnupg = world.gnupgHome("Alice", null);
    world.run(gnupg, null, "pass", "init", world.fingerprint(gnupg));
  }

  @AfterEach
  void removeStore() throws Exception {
    world.close();
  }

  private CredentialStore open() throws Exception {
    return new PassStoreProvider().open(world.options(gnupg));
  }

  private static Credential token(String service, String account, String value,
      Map<String, String> attributes) {
    try (Secret secret = Secret.of(value)) {
      return Credential.builder(CredentialId.of(service, account)).token(secret)
          .attributes(attributes).build();
    }
  }

  @Test
  void passShow_printsTheSecretFirst_thenMetadataLines() throws Exception {
    try (CredentialStore store = open();
        Credential credential = token("k6", "default", "k6-token-123",
            Map.of("stackUrl", "https://example.grafana.net"))) {
      store.put(credential);
    }
    List<String> lines = List.of(
        world.run(gnupg, null, "pass", "show", "credstore/k6/default").split("\n"));
    assertEquals("k6-token-123", lines.get(0));
    assertTrue(lines.contains("stackUrl: https://example.grafana.net"), lines.toString());
    assertTrue(lines.contains("credstore-kind: token"), lines.toString());
  }

  @Test
  void entryInsertedWithPass_readsAsTokenWithItsAttributes() throws Exception {
    world.run(gnupg, "ghp_handmade\nurl: https://github.com\n", "pass", "insert", "-m",
        "credstore/gh/default");
    try (CredentialStore store = open();
        Credential read = store.get(CredentialId.of("gh")).orElseThrow()) {
      assertEquals(CredentialKind.TOKEN, read.kind());
      assertEquals(Map.of("url", "https://github.com"), read.metadata().attributes());
      char[] chars = read.secret().revealChars();
      assertEquals("ghp_handmade", new String(chars));
    }
  }

  @Test
  void put_keepsLinesCredstoreDidNotWrite() throws Exception {
    world.run(gnupg, "old\nrecovery codes are in the safe\n", "pass", "insert", "-m",
        "credstore/gh/default");
    try (CredentialStore store = open();
        Credential credential = token("gh", "default", "new", Map.of())) {
      store.put(credential);
    }
    String shown = world.run(gnupg, null, "pass", "show", "credstore/gh/default");
    assertTrue(shown.startsWith("new\n"), shown);
    assertTrue(shown.contains("\nrecovery codes are in the safe\n"), shown);
  }

  @Test
  void gitStore_commitsEachChange_andLeavesTheUsersStagedFilesAlone() throws Exception {
    world.run(gnupg, null, "pass", "git", "init");
    Files.writeString(world.store.resolve("notes.txt"), "mine");
    world.run(gnupg, null, "pass", "git", "add", "notes.txt");
    try (CredentialStore store = open();
        Credential credential = token("k6", "default", "t", Map.of())) {
      store.put(credential);
      assertTrue(store.delete(credential.id()));
    }
    String log = world.run(gnupg, null, "pass", "git", "log", "--format=%s");
    assertTrue(log.startsWith("Remove credstore/k6/default from store.\n"
        + "Add given password for credstore/k6/default to store.\n"), log);
    String status = world.run(gnupg, null, "pass", "git", "status", "--porcelain");
    assertEquals("A  notes.txt\n", status, "only the user's staged file is left uncommitted");
  }

  @Test
  void awkwardNames_stayInsideTheStore_andListUnderTheirOwnIds() throws Exception {
    CredentialId sneaky = new CredentialId("../../etc", "a/../b%2F.gpg-id");
    try (CredentialStore store = open();
        Credential credential = Credential.builder(sneaky).token(Secret.of("x")).build()) {
      store.put(credential);
      assertEquals(List.of(sneaky),
          store.list().stream().map(CredentialMetadata::id).collect(Collectors.toList()));
    }
    try (var files = Files.walk(world.store)) {
      List<Path> entries = files.filter(p -> p.toString().endsWith(".gpg")).toList();
      assertEquals(List.of(world.store.resolve("credstore/%2E.%2F..%2Fetc/a%2F..%2Fb%252F.gpg-id.gpg")),
          entries);
    }
  }

  @Test
  void entriesAndDirectories_arePrivateToTheUser() throws Exception {
    try (CredentialStore store = open();
        Credential credential = token("k6", "default", "t", Map.of())) {
      store.put(credential);
    }
    Path entry = world.store.resolve("credstore/k6/default.gpg");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(entry)));
    assertEquals("rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(entry.getParent())));
  }

  @Test
  void concurrentWriters_loseNoEntry_andEachIsCommitted() throws Exception {
    world.run(gnupg, null, "pass", "git", "init");
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int writer = 0; writer < 3; writer++) {
        int w = writer;
        writes.add(pool.submit(() -> {
          try (CredentialStore store = open()) {
            for (int i = 0; i < 3; i++) {
              try (Credential credential = token("svc" + i, "writer" + w, "v", Map.of())) {
                store.put(credential);
              }
            }
          }
          return null;
        }));
      }
      for (Future<?> write : writes) {
        write.get();
      }
    } finally {
      pool.shutdownNow();
    }
    try (CredentialStore store = open()) {
      assertEquals(9, store.list().size());
    }
    String log = world.run(gnupg, null, "pass", "git", "log", "--format=%s");
    assertEquals(9, log.lines().filter(l -> l.startsWith("Add given password")).count(), log);
    assertEquals("", world.run(gnupg, null, "pass", "git", "status", "--porcelain"));
  }

  @Test
  void concurrentWriterProcesses_loseNoEntry_andEachIsCommitted() throws Exception {
    world.run(gnupg, null, "pass", "git", "init");
    List<Process> writers = new ArrayList<>();
    for (int writer = 0; writer < 3; writer++) {
      ProcessBuilder builder = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), PassWriterMain.class.getName(),
          "writer" + writer, "4").redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().putAll(world.environment(gnupg));
      writers.add(builder.start());
    }
    for (Process writer : writers) {
      String output = new String(writer.getInputStream().readAllBytes());
      assertTrue(writer.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(0, writer.exitValue(), output);
    }
    try (CredentialStore store = open()) {
      assertEquals(12, store.list().size());
    }
    String log = world.run(gnupg, null, "pass", "git", "log", "--format=%s");
    assertEquals(12, log.lines().filter(l -> l.startsWith("Add given password")).count(), log);
    assertEquals("", world.run(gnupg, null, "pass", "git", "status", "--porcelain"));
  }

  @Test
  void storeWithoutGpgId_isUnavailable_andSaysToRunPassInit() throws Exception {
    Files.delete(world.store.resolve(".gpg-id"));
    try (Probe probe = new PassStoreProvider().probe(world.options(gnupg))) {
      assertEquals(Probe.State.UNAVAILABLE, probe.state());
      assertTrue(probe.reason().contains("pass init"), probe.reason());
    }
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class, this::open);
    assertTrue(e.getMessage().contains("pass init"), e.getMessage());
  }

  @Test
  void passNotInstalled_isUnavailable() throws Exception {
    Path bin = Files.createDirectory(world.base.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("gpg"), Path.of("/usr/bin/gpg"));
    Map<String, String> environment = new java.util.HashMap<>(world.environment(gnupg));
    environment.put("PATH", bin.toString());
    try (Probe probe = new PassStoreProvider().probe(world.options(environment))) {
      assertEquals(Probe.State.UNAVAILABLE, probe.state());
      assertTrue(probe.reason().startsWith("pass is not installed"), probe.reason());
    }
    assertThrows(BackendUnavailableException.class,
        () -> new PassStoreProvider().open(world.options(environment)));
  }

  @Test
  void entryEncryptedToSomeoneElsesKey_isAnAuthenticationFailure() throws Exception {
    Path bob = world.gnupgHome("Bob", null);
    world.importPublicKey(bob, gnupg);
    Files.writeString(world.store.resolve(".gpg-id"), world.fingerprint(bob) + "\n");
    try (CredentialStore store = open();
        Credential credential = token("k6", "default", "for-bob-only", Map.of())) {
      store.put(credential);
      AuthenticationException e = assertThrows(AuthenticationException.class,
          () -> store.get(credential.id()));
      assertTrue(e.getMessage().contains("do not hold"), e.getMessage());
      assertFalse(e.getMessage().contains("for-bob-only"));
    }
  }

  @Test
  void keyWithPassphrase_andNoCachedAgent_failsAtOnceWithAuthentication() throws Exception {
    Path locked = world.gnupgHome("Carol", "correct horse battery staple");
    world.run(locked, null, "pass", "init", world.fingerprint(locked));
    world.run(locked, null, "gpgconf", "--kill", "gpg-agent"); // forget the cached passphrase
    try (CredentialStore store = new PassStoreProvider().open(world.options(locked));
        Credential credential = token("k6", "default", "t", Map.of())) {
      store.put(credential); // encrypting needs only the public key
      long start = System.nanoTime();
      AuthenticationException e = assertThrows(AuthenticationException.class,
          () -> store.get(credential.id()));
      assertTrue(e.getMessage().contains("gpg-connect-agent"), e.getMessage());
      // A bound on a hang, not a performance claim: waiting on a pinentry would take minutes.
      assertTrue(System.nanoTime() - start < 5_000_000_000L, "must not wait for a pinentry");
    }
  }

  @Test
  void probe_describesPathRecipientsAndGitRemote_withoutItsPassword() throws Exception {
    world.run(gnupg, null, "pass", "git", "init");
    world.run(gnupg, null, "pass", "git", "remote", "add", "origin",
        "https://me:ghp_remote_token@git.example.test/team/pass.git");
    try (Probe probe = new PassStoreProvider().probe(world.options(gnupg))) {
      assertEquals(Probe.State.READY, probe.state());
      assertEquals("password store " + world.store + ", encrypted to "
          + world.fingerprint(gnupg) + ", git remote origin https://me@git.example.test/team/pass.git",
          probe.reason());
    }
    try (CredentialStore store = open()) {
      assertEquals(world.store.toString(), store.describe().location());
      assertTrue(store.describe().summary().contains(world.fingerprint(gnupg)));
    }
  }
}
