package dev.credstore.file;

import dev.credstore.api.PassphraseSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** Stores for tests: the cheapest KDF cost the format accepts, so each unlock takes ~50 ms. */
final class TestStores {

  static final KdfParameters CHEAP_KDF = new KdfParameters(KdfParameters.MIN_MEMORY_KIB, 2, 1);
  static final String PASSPHRASE = "correct horse battery staple";

  private TestStores() {}

  static FileCredentialStore open(Path file) {
    return open(file, PASSPHRASE);
  }

  static FileCredentialStore open(Path file, String passphrase) {
    return new FileCredentialStore(file, passphrase(passphrase), CHEAP_KDF, Duration.ofSeconds(30));
  }

  static PassphraseSource passphrase(String value) {
    return PassphraseSource.fromEnvironment(Map.of(PassphraseSource.ENV_VARIABLE, value));
  }
}
