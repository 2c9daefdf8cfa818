package dev.credstore.runtime;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the token a tool should use for a credential: an environment variable registered for the
 * service (see {@link KnownServices}) overrides the store, as the tool itself would let it.
 *
 * <p>The override applies only to the {@linkplain CredentialId#DEFAULT_ACCOUNT default account}:
 * a variable such as {@code K6_CLOUD_TOKEN} names no account, so it must not stand in for a
 * specific one. Empty variables count as unset. When the environment answers, the store is never
 * opened. Immutable and thread-safe.
 */
public final class TokenResolver {

  /** Opens the store on demand; the resolver closes what it returns. */
  @FunctionalInterface
  public interface StoreOpener {
    CredentialStore open() throws CredentialStoreException;
  }

  private final KnownServices services;
  private final Map<String, String> environment;

  public TokenResolver(KnownServices services, Map<String, String> environment) {
    this.services = Objects.requireNonNull(services, "services");
    this.environment = Map.copyOf(environment);
  }

  /** The set environment variable that overrides the store for {@code id}, if any. */
  public Optional<String> overridingVariable(CredentialId id) {
    if (!CredentialId.DEFAULT_ACCOUNT.equals(id.account())) {
      return Optional.empty();
    }
    return services.find(id.service()).flatMap(definition -> definition.environmentVariables()
        .stream()
        .filter(variable -> {
          String value = environment.get(variable);
          return value != null && !value.isEmpty();
        })
        .findFirst());
  }

  /**
   * The token for {@code id}: from its overriding environment variable when {@code useEnvironment}
   * is true and one is set, else from the store {@code opener} opens (and this method closes).
   *
   * @return empty if neither has it; the caller owns and should close the result
   * @throws CredentialStoreException as the store reports it
   */
  public Optional<ResolvedToken> resolve(CredentialId id, boolean useEnvironment,
      StoreOpener opener) throws CredentialStoreException {
    Optional<ResolvedToken> fromEnvironment = fromEnvironment(id, useEnvironment);
    if (fromEnvironment.isPresent()) {
      return fromEnvironment;
    }
    try (CredentialStore store = opener.open()) {
      return fromStore(id, store);
    }
  }

  /**
   * As {@link #resolve}, but the store {@code opener} returns stays open (the caller owns it): for
   * callers that keep one store open across calls, as {@link Credentials} does. The store is not
   * opened at all when the environment answers.
   */
  public Optional<ResolvedToken> resolveKeepingStoreOpen(CredentialId id, boolean useEnvironment,
      StoreOpener opener) throws CredentialStoreException {
    Optional<ResolvedToken> fromEnvironment = fromEnvironment(id, useEnvironment);
    return fromEnvironment.isPresent() ? fromEnvironment : fromStore(id, opener.open());
  }

  private Optional<ResolvedToken> fromEnvironment(CredentialId id, boolean useEnvironment) {
    if (useEnvironment) {
      Optional<String> variable = overridingVariable(id);
      if (variable.isPresent()) {
        Secret secret = Secret.of(environment.get(variable.get()));
        return Optional.of(new ResolvedToken(id, secret, variable.get(), null));
      }
    }
    return Optional.empty();
  }

  private static Optional<ResolvedToken> fromStore(CredentialId id, CredentialStore store)
      throws CredentialStoreException {
    Optional<Credential> found = store.get(id);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    try (Credential credential = found.get()) {
      return Optional.of(new ResolvedToken(id, credential.secret().copy(), null,
          credential.metadata()));
    }
  }
}
