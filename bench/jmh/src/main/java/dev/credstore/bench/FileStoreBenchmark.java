package dev.credstore.bench;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.file.BulkStores;
import dev.credstore.file.FileStoreProvider;
import dev.credstore.spi.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The encrypted file store through its public provider, with the real (default) Argon2id cost: one
 * store per size, unlocked once in set-up, then {@code get} of one credential and {@code put} of
 * one credential (under the lock: change the kept snapshot, encrypt, atomic write with fsync), and
 * {@code putAfterOtherWriter}, where every put finds that another store wrote since its snapshot
 * and so reads and decrypts the file first.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class FileStoreBenchmark {

  private static final String PASSPHRASE = "benchmark passphrase";

  @Param({"10", "1000", "10000"})
  int entries;

  private Path directory;
  private CredentialStore store;
  private CredentialStore other;
  private CredentialId probe;
  private int counter;

  @Setup(Level.Trial)
  public void createStore() throws Exception {
    directory = Files.createTempDirectory("credstore-jmh",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    StoreOptions options = StoreOptions.builder()
        .dataDirectory(directory.resolve("data"))
        .operationTimeout(Duration.ofSeconds(60))
        .environment(Map.of())
        .passphrases(PassphraseSource.fromEnvironment(
            Map.of(PassphraseSource.ENV_VARIABLE, PASSPHRASE)))
        .build();
    List<Credential> credentials = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      try (Secret secret = Secret.of("token-" + i + "-0123456789abcdef0123456789abcdef")) {
        credentials.add(Credential.builder(CredentialId.of(String.format("service-%05d", i),
            "account")).token(secret).attribute("stackId", Integer.toString(i)).build());
      }
    }
    try (Secret passphrase = Secret.of(PASSPHRASE)) {
      BulkStores.create(directory.resolve("data").resolve("credentials.cstore"), credentials,
          passphrase);
    }
    credentials.forEach(Credential::close);
    store = new FileStoreProvider().open(options);
    other = new FileStoreProvider().open(options);
    probe = CredentialId.of(String.format("service-%05d", entries / 2), "account");
    store.get(probe).orElseThrow().close(); // unlocked and read once
    other.get(probe).orElseThrow().close();
  }

  @TearDown(Level.Trial)
  public void deleteStore() throws IOException {
    store.close();
    other.close();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path path : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** One get on an open, unlocked store. */
  @Benchmark
  public int getAfterUnlock() throws Exception {
    Optional<Credential> found = store.get(probe);
    try (Credential credential = found.orElseThrow()) {
      return credential.secret().length();
    }
  }

  /** One put replacing an existing credential: change, encrypt, atomic durable write. */
  @Benchmark
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void put() throws Exception {
    put(store);
  }

  /**
   * Two stores on one file take turns, so each put first reads and decrypts what the other wrote
   * (the cost of a put after another process wrote, or the first put of a process). Per put.
   */
  @Benchmark
  @OperationsPerInvocation(2)
  @OutputTimeUnit(TimeUnit.MILLISECONDS)
  public void putAfterOtherWriter() throws Exception {
    put(store);
    put(other);
  }

  private void put(CredentialStore target) throws Exception {
    try (Secret secret = Secret.of("rotated-" + (counter++) + "-0123456789abcdef");
        Credential credential = Credential.builder(probe).token(secret).build()) {
      target.put(credential);
    }
  }
}
