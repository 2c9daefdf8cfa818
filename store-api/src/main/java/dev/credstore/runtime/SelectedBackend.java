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
  private final List<String> otherStores;

  SelectedBackend(CredentialStoreProvider provider, Probe probe, String reason,
      List<BackendStatus> passedOver) {
    this(provider, probe, reason, passedOver, List.of());
  }

  private SelectedBackend(CredentialStoreProvider provider, Probe probe, String reason,
      List<BackendStatus> passedOver, List<String> otherStores) {
    this.provider = provider;
    this.probe = probe;
    this.reason = reason;
    this.passedOver = List.copyOf(passedOver);
    this.otherStores = List.copyOf(otherStores);
  }

  SelectedBackend withOtherStores(List<String> stores) {
    return new SelectedBackend(provider, probe, reason, passedOver, stores);
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
   * Other built-in stores that already hold data, found when the choice was automatic and nothing
   * was remembered yet, e.g. "file: encrypted file ~/.local/share/credstore/credentials.cstore":
   * credentials there are not visible through this one.
   */
  public List<String> otherStores() {
    return otherStores;
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
