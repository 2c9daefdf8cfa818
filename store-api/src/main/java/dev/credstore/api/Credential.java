package dev.credstore.api;

import dev.credstore.spi.Names;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored credential: its {@link CredentialMetadata} plus its secret and, after a rotation, the one
 * previous secret kept for rollback.
 *
 * <p>Immutable except that {@link #close()} zeroes both secrets. The credential owns its secrets:
 * callers read them through {@link #secret()} and must not close them separately. Not a record, so
 * that no generated {@code equals}/{@code toString} ever touches a secret.
 */
public final class Credential implements AutoCloseable {

  private final CredentialMetadata metadata;
  private final Secret secret;
  private final Secret previousSecret;

  private Credential(CredentialMetadata metadata, Secret secret, Secret previousSecret) {
    this.metadata = metadata;
    this.secret = secret;
    this.previousSecret = previousSecret;
  }

  /** Starts a credential for {@code id}; a kind and a secret are required before {@code build()}. */
  public static Builder builder(CredentialId id) {
    return new Builder(id);
  }

  public CredentialId id() {
    return metadata.id();
  }

  public CredentialKind kind() {
    return metadata.kind();
  }

  /** Everything but the secrets. */
  public CredentialMetadata metadata() {
    return metadata;
  }

  /** The current secret, owned by this credential. */
  public Secret secret() {
    return secret;
  }

  /** The secret before the last rotation, if one is kept; owned by this credential. */
  public Optional<Secret> previousSecret() {
    return Optional.ofNullable(previousSecret);
  }

  /**
   * A copy whose secret is {@code newSecret} (copied), whose previous secret is this one's current
   * secret, and whose rotation and update times are {@code now}. Attributes, kind and key name are
   * kept.
   */
  public Credential rotatedTo(Secret newSecret, Instant now) {
    return toBuilder()
        .secret(newSecret)
        .previousSecret(secret)
        .rotatedAt(now)
        .updatedAt(now)
        .build();
  }

  /** A builder initialised with copies of everything in this credential. */
  public Builder toBuilder() {
    Builder builder = new Builder(metadata.id())
        .kind(metadata.kind())
        .attributes(metadata.attributes())
        .createdAt(metadata.createdAt())
        .updatedAt(metadata.updatedAt())
        .rotatedAt(metadata.rotatedAt())
        .secret(secret);
    builder.keyName = metadata.keyName();
    if (previousSecret != null) {
      builder.previousSecret(previousSecret);
    }
    return builder;
  }

  /** Zeroes the secret and the previous secret. */
  @Override
  public void close() {
    secret.close();
    if (previousSecret != null) {
      previousSecret.close();
    }
  }

  @Override
  public String toString() {
    return "Credential[" + metadata.id() + ", " + metadata.kind() + ", secret redacted]";
  }

  /** Builds a {@link Credential}; setters check their argument at once. Not thread-safe. */
  public static final class Builder {
    private final CredentialId id;
    private CredentialKind kind;
    private String keyName;
    private Secret secret;
    private Secret previousSecret;
    private final Map<String, String> attributes = new LinkedHashMap<>();
    private Instant createdAt;
    private Instant updatedAt;
    private Instant rotatedAt;
    private Clock clock = Clock.systemUTC();

    private Builder(CredentialId id) {
      this.id = Objects.requireNonNull(id, "id");
    }

    /** Makes this a {@link CredentialKind#TOKEN} whose secret is a copy of {@code token}. */
    public Builder token(Secret token) {
      this.kind = CredentialKind.TOKEN;
      this.keyName = null;
      return secret(token);
    }

    /** Makes this an {@link CredentialKind#API_KEY} named {@code keyName} with a copy of the secret. */
    public Builder apiKey(String keyName, Secret apiSecret) {
      Names.check("key name", keyName, CredentialMetadata.MAX_KEY_NAME_LENGTH);
      this.kind = CredentialKind.API_KEY;
      this.keyName = keyName;
      return secret(apiSecret);
    }

    Builder kind(CredentialKind kind) {
      this.kind = Objects.requireNonNull(kind, "kind");
      return this;
    }

    /** Sets the secret to a copy of {@code value}, keeping the kind. */
    public Builder secret(Secret value) {
      Objects.requireNonNull(value, "secret");
      if (value.isBlank()) {
        throw new IllegalArgumentException("secret must not be empty or only whitespace");
      }
      replace(this.secret);
      this.secret = value.copy();
      return this;
    }

    /** Keeps a copy of {@code value} as the previous secret; null keeps none. */
    public Builder previousSecret(Secret value) {
      replace(this.previousSecret);
      this.previousSecret = value == null ? null : value.copy();
      return this;
    }

    /** Adds or replaces one non-secret attribute. */
    public Builder attribute(String name, String value) {
      attributes.put(name, value);
      return this;
    }

    /** Replaces all attributes. */
    public Builder attributes(Map<String, String> values) {
      attributes.clear();
      attributes.putAll(values);
      return this;
    }

    /** Removes one attribute if present. */
    public Builder removeAttribute(String name) {
      attributes.remove(name);
      return this;
    }

    public Builder createdAt(Instant time) {
      this.createdAt = time;
      return this;
    }

    public Builder updatedAt(Instant time) {
      this.updatedAt = time;
      return this;
    }

    public Builder rotatedAt(Instant time) {
      this.rotatedAt = time;
      return this;
    }

    /** The clock for unset creation and update times; the system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Builds the credential. Unset times default to the clock's now; all times are truncated to
     * milliseconds so that every backend stores them exactly. The builder's secret copies move into
     * the credential, so building again needs a new secret.
     *
     * @throws IllegalArgumentException if the kind or secret is missing or a value is invalid
     */
    public Credential build() {
      if (kind == null || secret == null) {
        throw new IllegalArgumentException("credential " + id + " needs a token or an API key");
      }
      Instant now = clock.instant();
      Instant created = millis(createdAt != null ? createdAt : now);
      Instant updated = millis(updatedAt != null ? updatedAt : created);
      CredentialMetadata metadata = new CredentialMetadata(id, kind, keyName, attributes, created,
          updated, rotatedAt == null ? null : millis(rotatedAt), previousSecret != null);
      // Hand the builder's own copies over, so no copy outlives the credential unzeroed.
      Credential built = new Credential(metadata, secret, previousSecret);
      secret = null;
      previousSecret = null;
      return built;
    }

    private static void replace(Secret old) {
      if (old != null) {
        old.close();
      }
    }

    private static Instant millis(Instant time) {
      return time.truncatedTo(ChronoUnit.MILLIS);
    }
  }
}
