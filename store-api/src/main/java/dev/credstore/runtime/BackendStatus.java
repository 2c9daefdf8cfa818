package dev.credstore.runtime;

import dev.credstore.spi.Probe;

/**
 * One backend as {@code status} and {@code doctor} report it.
 *
 * @param id the provider id
 * @param description one line for humans
 * @param priority rank in automatic selection (higher first)
 * @param builtIn whether automatic selection may pick it
 * @param state what its probe found
 * @param reason what the probe found, or why it is unavailable
 */
public record BackendStatus(String id, String description, int priority, boolean builtIn,
    Probe.State state, String reason) {

  /** Whether the backend works here (ready, or ready once unlocked). */
  public boolean available() {
    return state != Probe.State.UNAVAILABLE;
  }
}
