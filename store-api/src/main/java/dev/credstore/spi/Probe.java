package dev.credstore.spi;

import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import java.util.Objects;

/**
 * A provider's answer to "can you work here?": a {@link State}, a reason for humans, and, when the
 * probe had to open something to find out (a bus connection, say), that thing, handed over to the
 * {@link #open} that normally follows instead of being kept in hidden fields. Whoever receives a
 * probe either opens it or closes it; closing one that was opened does nothing.
 *
 * <p>Thread-safe: {@link #open} and {@link #close} may race, and exactly one of them gets what the
 * probe found.
 */
public final class Probe implements AutoCloseable {

  /** What the probe found. */
  public enum State {
    /** The backend works here and can be opened now. */
    READY,
    /**
     * The backend works here, but opening it needs the user first (a locked keychain, a store
     * behind a passphrase). Automatic selection still picks it: scattering credentials over a
     * second store because the first was locked would lose them to the user.
     */
    NEEDS_UNLOCK,
    /** The backend cannot work here; the reason says what is missing. */
    UNAVAILABLE
  }

  /** Opens the store from what a probe found. */
  @FunctionalInterface
  public interface Opener {
    CredentialStore open(StoreOptions options) throws CredentialStoreException;
  }

  private final State state;
  private final String reason;
  // Both null when the probe found nothing to hand over; guarded by this.
  private Opener opener;
  private AutoCloseable found;

  private Probe(State state, String reason, Opener opener, AutoCloseable found) {
    this.state = Objects.requireNonNull(state, "state");
    this.reason = Objects.requireNonNull(reason, "reason");
    this.opener = opener;
    this.found = found;
  }

  /** Ready, with nothing to hand over: {@link CredentialStoreProvider#open} does the work. */
  public static Probe ready(String note) {
    return new Probe(State.READY, note, null, null);
  }

  /**
   * Ready, handing over {@code found}: {@link #open} calls {@code opener}, which then owns it;
   * {@link #close} without an open closes it.
   */
  public static Probe ready(String note, Opener opener, AutoCloseable found) {
    return new Probe(State.READY, note, Objects.requireNonNull(opener, "opener"),
        Objects.requireNonNull(found, "found"));
  }

  public static Probe needsUnlock(String reason) {
    return new Probe(State.NEEDS_UNLOCK, reason, null, null);
  }

  public static Probe unavailable(String reason) {
    return new Probe(State.UNAVAILABLE, reason, null, null);
  }

  public State state() {
    return state;
  }

  /** What was found, or why the backend cannot work here; never null, never a secret. */
  public String reason() {
    return reason;
  }

  /** Whether the backend works here ({@link State#READY} or {@link State#NEEDS_UNLOCK}). */
  public boolean usable() {
    return state != State.UNAVAILABLE;
  }

  /**
   * Opens the store with what the probe found, or through {@code provider} when it found nothing
   * to hand over (or it was already taken).
   *
   * @throws CredentialStoreException as the backend reports it
   */
  public CredentialStore open(CredentialStoreProvider provider, StoreOptions options)
      throws CredentialStoreException {
    Opener handedOver;
    synchronized (this) {
      handedOver = opener;
      opener = null;
      found = null;
    }
    return handedOver != null ? handedOver.open(options) : provider.open(options);
  }

  /** Releases what the probe found, unless {@link #open} took it. */
  @Override
  public void close() {
    AutoCloseable unclaimed;
    synchronized (this) {
      unclaimed = found;
      opener = null;
      found = null;
    }
    if (unclaimed != null) {
      try {
        unclaimed.close();
      } catch (Exception ignored) {
        // Releasing an unused connection; nothing the caller could do about a failure.
      }
    }
  }

  @Override
  public String toString() {
    return "Probe[" + state + ": " + reason + "]";
  }
}
