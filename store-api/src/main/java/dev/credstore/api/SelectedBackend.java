package dev.credstore.api;

import dev.credstore.spi.CredentialStoreProvider;
import java.util.List;

/** The backend {@link Backends#select} chose, with the reason, ready to open. */
public final class SelectedBackend {

  private final CredentialStoreProvider provider;
  private final String reason;
  private final List<BackendStatus> passedOver;

  SelectedBackend(CredentialStoreProvider provider, String reason, List<BackendStatus> passedOver) {
    this.provider = provider;
    this.reason = reason;
    this.passedOver = List.copyOf(passedOver);
  }

  public String id() {
    return provider.id();
  }

  public String description() {
    return provider.description();
  }

  /** Why this backend, e.g. "auto: keychain unavailable (no D-Bus session bus)". */
  public String reason() {
    return reason;
  }

  /** Higher-priority backends that automatic selection probed and found unavailable. */
  public List<BackendStatus> passedOver() {
    return passedOver;
  }

  /**
   * Opens the store.
   *
   * @throws CredentialStoreException as the backend reports it
   */
  public CredentialStore open(StoreOptions options) throws CredentialStoreException {
    return provider.open(options);
  }

  @Override
  public String toString() {
    return "SelectedBackend[" + provider.id() + ": " + reason + "]";
  }
}
