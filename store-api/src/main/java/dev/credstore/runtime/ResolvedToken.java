package dev.credstore.runtime;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.Secret;
import java.util.Optional;

/**
 * A token found by {@link TokenResolver}, and where it came from: an environment variable or the
 * store. Owns its secret; {@link #close()} zeroes it. Not a record, so that no generated method
 * touches the secret.
 */
public final class ResolvedToken implements AutoCloseable {

  private final CredentialId id;
  private final Secret secret;
  private final String variable;
  private final CredentialMetadata metadata;

  ResolvedToken(CredentialId id, Secret secret, String variable, CredentialMetadata metadata) {
    this.id = id;
    this.secret = secret;
    this.variable = variable;
    this.metadata = metadata;
  }

  public CredentialId id() {
    return id;
  }

  /** The token, owned by this object. */
  public Secret secret() {
    return secret;
  }

  /** The environment variable the token came from; empty when it came from the store. */
  public Optional<String> environmentVariable() {
    return Optional.ofNullable(variable);
  }

  /** The stored credential's metadata; empty when the token came from the environment. */
  public Optional<CredentialMetadata> metadata() {
    return Optional.ofNullable(metadata);
  }

  /** Zeroes the secret. */
  @Override
  public void close() {
    secret.close();
  }

  @Override
  public String toString() {
    return "ResolvedToken[" + id + " from "
        + (variable != null ? "environment variable " + variable : "store") + ", secret redacted]";
  }
}
