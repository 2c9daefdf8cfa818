package dev.credstore.api;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether a passphrase-protected store can be opened without its passphrase for now (see
 * {@link PassphraseProtectedStore#unlockFor}), until when, and a note for humans.
 *
 * @param state what was found
 * @param until when the unlock ends; null unless {@link State#UNLOCKED}
 * @param note what was found or why caching is not available here; never null, never a secret
 */
public record UnlockStatus(State state, Instant until, String note) {

  /** What was found. */
  public enum State {
    /** The store's key is held until {@link #until}: opening it needs no passphrase. */
    UNLOCKED,
    /** Nothing is held for the store as it is now: opening it needs its passphrase. */
    LOCKED,
    /** No unlock cache can work here; the note says why. */
    UNAVAILABLE
  }

  public UnlockStatus {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(note, "note");
    if ((state == State.UNLOCKED) != (until != null)) {
      throw new IllegalArgumentException("an unlocked status, and only that, has an end");
    }
  }

  /** When the unlock ends, if the store is unlocked. */
  public Optional<Instant> unlockedUntil() {
    return Optional.ofNullable(until);
  }
}
