package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeychainIndexTest {

  @TempDir
  Path root;

  private static CredentialMetadata entry(String service) {
    Instant t = Instant.parse("2025-01-02T03:04:05.678Z");
    return new CredentialMetadata(CredentialId.of(service), CredentialKind.API_KEY, "key",
        Map.of("stackUrl", "https://x.example/é"), t, t, null, true);
  }

  @Test
  void write_thenRead_roundTrips_inPrivateFiles() throws Exception {
    Path dir = root.resolve("credstore");
    KeychainIndex index = new KeychainIndex(dir, Duration.ofSeconds(5));
    index.locked(() -> {
      index.write(Map.of(entry("b").id(), entry("b"), entry("a").id(), entry("a")));
      return null;
    });
    TreeMap<CredentialId, CredentialMetadata> read = index.read();
    assertEquals(List.of(entry("a"), entry("b")), new ArrayList<>(read.values()));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
    assertEquals("rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(index.file())));
    try (var files = Files.list(dir)) {
      assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void missingIndex_isEmpty_damagedIndex_isIntegrityError() throws Exception {
    KeychainIndex index = new KeychainIndex(root, Duration.ofSeconds(5));
    assertTrue(index.read().isEmpty());
    Files.writeString(index.file(), "{\"format\":1,\"credentials\":[{\"service\":\" bad\"}]}");
    // Private, as credstore writes it: a damaged index is an integrity error, not an unsafe file.
    Files.setPosixFilePermissions(index.file(), PosixFilePermissions.fromString("rw-------"));
    assertThrows(IntegrityException.class, index::read);
    Files.writeString(index.file(), "{not json");
    assertThrows(IntegrityException.class, index::read);
  }

  @Test
  void concurrentWriters_loseNoEntry() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String service = "svc" + i;
        // A separate handle per writer, as separate stores in one JVM would have.
        KeychainIndex index = new KeychainIndex(root, Duration.ofSeconds(10));
        futures.add(pool.submit(() -> index.locked(() -> {
          TreeMap<CredentialId, CredentialMetadata> entries = index.read();
          entries.put(entry(service).id(), entry(service));
          index.write(entries);
          return null;
        })));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(20, new KeychainIndex(root, Duration.ofSeconds(5)).read().size());
    assertFalse(Files.exists(root.resolve("keychain-index.json.tmp")));
  }

  @Test
  void indexOpenToOthers_isRefusedWithTheFix_andALooseLockFileIsTightened() throws Exception {
    KeychainIndex index = new KeychainIndex(root, Duration.ofSeconds(5));
    Files.writeString(index.file(), "{\"format\":1,\"credentials\":[]}");
    Files.setPosixFilePermissions(index.file(), PosixFilePermissions.fromString("rw-r--r--"));
    StorageException e = assertThrows(StorageException.class, index::read);
    assertTrue(e.getMessage().contains("run: chmod 600"), e.getMessage());
    Path lock = root.resolve(KeychainIndex.FILE_NAME + ".lock");
    Files.createFile(lock);
    Files.setPosixFilePermissions(lock, PosixFilePermissions.fromString("rw-r--r--"));
    index.locked(() -> null);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lock)));
  }
}
