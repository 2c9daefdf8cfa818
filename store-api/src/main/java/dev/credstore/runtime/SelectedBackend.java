package dev.credstore.runtime;

import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.util.List;

/** The backend {@link Backends#select} chose, with the reason, ready to open. */
public final class SelectedBackend {

  private final CredentialStoreProvider provider;
  private final Probe probe;
  private final String reason;
  private final List<BackendStatus> passedOver;

  SelectedBackend(CredentialStoreProvider provider, Probe probe, String reason,
      List<BackendStatus> passedOver) {
    this.provider = provider;
    this.probe = probe;
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

  /** What the selection's probe found: ready, or usable once unlocked. */
  public Probe.State state() {
    return probe.state();
  }

  /** Higher-priority backends that automatic selection probed and found unavailable. */
  public List<BackendStatus> passedOver() {
    return passedOver;
  }

  /**
   * Opens the store, with what the selection's probe found where it handed something over.
   *
   * @throws CredentialStoreException as the backend reports it
   */
  public CredentialStore open(StoreOptions options) throws CredentialStoreException {
    return probe.open(provider, options);
  }

  /** Releases what the selection's probe found, if the store was not opened. */
  public void release() {
    probe.close();
  }

  @Override
  public String toString() {
    return "SelectedBackend[" + provider.id() + ": " + reason + "]";
  }
}
