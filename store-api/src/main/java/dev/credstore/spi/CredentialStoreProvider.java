package dev.credstore.spi;

import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;

/**
 * A backend, found with {@link java.util.ServiceLoader}. Implementations need a public no-argument
 * constructor and a {@code META-INF/services/dev.credstore.spi.CredentialStoreProvider} entry.
 *
 * <p>Providers are cheap: the constructor, {@link #id()}, {@link #priority()} and {@link #probe}
 * never prompt, unlock, read secrets or block for long. That work belongs in {@link #open}.
 * Implementations are thread-safe.
 *
 * <p>Automatic selection only ever considers credstore's built-in providers; any other provider is
 * used only when the user names its id.
 */
public interface CredentialStoreProvider {

  /** Stable lower-case id used in {@code --backend}, config files and status output. */
  String id();

  /** One line for humans, e.g. "OS keychain (Secret Service)". */
  String description();

  /** Higher wins in automatic selection among available providers. */
  int priority();

  /**
   * Whether this backend can work here, answered within a few hundred milliseconds without
   * prompting the user or touching any secret. Never throws; a failure is an
   * {@link Probe.State#UNAVAILABLE} result whose reason says what is missing. A probe that opened
   * something to find out hands it over in the result ({@link Probe#ready(String, Probe.Opener,
   * AutoCloseable)}) rather than keeping it in the provider.
   */
  Probe probe(StoreOptions options);

  /**
   * Opens the store. May unlock (asking {@link StoreOptions#passphrases()}), connect, or create
   * directories; every blocking call is bounded by {@link StoreOptions#operationTimeout()}.
   *
   * @throws dev.credstore.api.BackendUnavailableException if it cannot work here after all
   * @throws CredentialStoreException for other failures, with their cause
   */
  CredentialStore open(StoreOptions options) throws CredentialStoreException;

  /**
   * Where this backend already keeps credentials, told within the probe's limits and without
   * opening, unlocking or prompting, e.g. "encrypted file ~/.local/share/credstore/x.cstore";
   * empty when it keeps none or cannot tell cheaply. {@code status}, {@code doctor} and automatic
   * selection use it to name credentials held in a store that is not in use. Never throws.
   */
  default java.util.Optional<String> existingData(StoreOptions options) {
    return java.util.Optional.empty();
  }
}
