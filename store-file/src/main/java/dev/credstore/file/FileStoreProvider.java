package dev.credstore.file;

import dev.credstore.api.CredentialStore;
import dev.credstore.spi.Probe;
import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.StoreOptions;
import dev.credstore.spi.UserDirectories;
import java.nio.file.Path;

/**
 * The encrypted-file backend, for machines without a keychain: one file, by default
 * {@code $XDG_DATA_HOME/credstore/credentials.cstore}, sealed with a passphrase.
 */
public final class FileStoreProvider implements CredentialStoreProvider {

  static final String ID = "file";
  static final String DEFAULT_FILE_NAME = "credentials.cstore";

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return FileCredentialStore.SUMMARY;
  }

  @Override
  public int priority() {
    return 10;
  }

  // Always usable: any problem with the path is reported by open() with the exact cause.
  @Override
  public Probe probe(StoreOptions options) {
    return Probe.ready("encrypted file " + storeFile(options));
  }

  @Override
  public CredentialStore open(StoreOptions options) {
    return new FileCredentialStore(storeFile(options), options.passphrases(),
        KdfParameters.DEFAULT, options.operationTimeout(),
        UserDirectories.of(options.environment()).credstoreState()
            .resolve(WriteCounters.FILE_NAME), options.environment());
  }

  @Override
  public java.util.Optional<String> existingData(StoreOptions options) {
    Path file = storeFile(options);
    return java.nio.file.Files.isRegularFile(file)
        ? java.util.Optional.of("encrypted file " + file) : java.util.Optional.empty();
  }

  private static Path storeFile(StoreOptions options) {
    return options.storeFile().orElse(options.dataDirectory().resolve(DEFAULT_FILE_NAME));
  }
}
