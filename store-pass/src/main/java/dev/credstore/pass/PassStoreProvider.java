package dev.credstore.pass;

import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code pass} backend: credentials as entries {@code credstore/<service>/<account>} of the
 * standard Unix password store ({@code PASSWORD_STORE_DIR}, by default {@code ~/.password-store}),
 * encrypted by gpg to the store's {@code .gpg-id} recipients and committed to its git repository.
 * Never chosen automatically (its priority is below every built-in's, and it is not one of them):
 * use it with {@code --backend pass}, {@code CREDSTORE_BACKEND=pass} or {@code "backend": "pass"}.
 * See the module README for the entry format.
 */
public final class PassStoreProvider implements CredentialStoreProvider {

  static final String ID = "pass";
  // The probe reads files and at most asks git for the remotes: well inside Backends.PROBE_LIMIT.
  private static final Duration PROBE_BUDGET = Duration.ofMillis(500);

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String description() {
    return PassStore.SUMMARY;
  }

  @Override
  public int priority() {
    return 5;
  }

  // Files and PATH only, plus one git call for the remotes; never gpg, so never a passphrase.
  @Override
  public Probe probe(StoreOptions options) {
    PassDirectory directory = PassDirectory.of(options.environment());
    Optional<String> problem = directory.problem();
    if (problem.isPresent()) {
      return Probe.unavailable(problem.get());
    }
    Duration budget = options.operationTimeout().compareTo(PROBE_BUDGET) < 0
        ? options.operationTimeout() : PROBE_BUDGET;
    return Probe.ready("password store " + directory.root + ", " + directory.describe(budget));
  }

  @Override
  public CredentialStore open(StoreOptions options) throws CredentialStoreException {
    PassDirectory directory = PassDirectory.of(options.environment());
    directory.check();
    return new PassStore(directory, options.dataDirectory(), options.operationTimeout());
  }
}
