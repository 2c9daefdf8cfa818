package dev.credstore.spi;

import dev.credstore.api.PassphraseSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend needs to open a store: where data lives, how to get a passphrase, how long any
 * blocking call may take, and the process environment (passed in rather than read globally, so
 * that callers and tests control it). Immutable; build with {@link #builder()} or derive from
 * {@code dev.credstore.runtime.StoreSettings#toOptions}.
 */
public final class StoreOptions {

  /** Default bound on any single call into a backend that may block. */
  public static final Duration DEFAULT_OPERATION_TIMEOUT = Duration.ofSeconds(10);

  private final Path dataDirectory;
  private final Path storeFile;
  private final PassphraseSource passphrases;
  private final Duration operationTimeout;
  private final Map<String, String> environment;

  private StoreOptions(Builder builder) {
    this.dataDirectory = builder.dataDirectory;
    this.storeFile = builder.storeFile;
    this.passphrases = builder.passphrases;
    this.operationTimeout = builder.operationTimeout;
    this.environment = builder.environment;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** credstore's own data directory, e.g. {@code ~/.local/share/credstore}. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** An explicit store file, when the user named one; backends otherwise use their default. */
  public Optional<Path> storeFile() {
    return Optional.ofNullable(storeFile);
  }

  public PassphraseSource passphrases() {
    return passphrases;
  }

  public Duration operationTimeout() {
    return operationTimeout;
  }

  /** The environment variables credstore runs with (unmodifiable). */
  public Map<String, String> environment() {
    return environment;
  }

  /** A builder holding a copy of these options. */
  public Builder toBuilder() {
    return new Builder()
        .dataDirectory(dataDirectory)
        .storeFile(storeFile)
        .passphrases(passphrases)
        .operationTimeout(operationTimeout)
        .environment(environment);
  }

  /** Builds {@link StoreOptions}; only the data directory is required. */
  public static final class Builder {
    private Path dataDirectory;
    private Path storeFile;
    private PassphraseSource passphrases = PassphraseSource.none();
    private Duration operationTimeout = DEFAULT_OPERATION_TIMEOUT;
    private Map<String, String> environment = Map.of();

    private Builder() {}

    public Builder dataDirectory(Path directory) {
      this.dataDirectory = absolute("data directory", directory);
      return this;
    }

    /** An explicit store file; null means the backend's default. */
    public Builder storeFile(Path file) {
      this.storeFile = file == null ? null : absolute("store file", file);
      return this;
    }

    public Builder passphrases(PassphraseSource source) {
      this.passphrases = Objects.requireNonNull(source, "passphrases");
      return this;
    }

    /** @throws IllegalArgumentException unless positive and at most ten minutes */
    public Builder operationTimeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("operation timeout " + timeout
            + " must be positive and at most 10 minutes");
      }
      this.operationTimeout = timeout;
      return this;
    }

    public Builder environment(Map<String, String> variables) {
      this.environment = Map.copyOf(variables);
      return this;
    }

    public StoreOptions build() {
      if (dataDirectory == null) {
        throw new IllegalArgumentException("a data directory is required");
      }
      return new StoreOptions(this);
    }

    private static Path absolute(String what, Path path) {
      Objects.requireNonNull(path, what);
      return path.toAbsolutePath().normalize();
    }
  }
}
