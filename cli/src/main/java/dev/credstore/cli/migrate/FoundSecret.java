package dev.credstore.cli.migrate;

import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One plaintext secret a {@link PlaintextSource} found in a file: where it sits ({@code locator},
 * e.g. a JSON pointer, a YAML key path or a line), the credential it becomes, and the non-secret
 * metadata carried beside it. Owns the secret; {@link #close()} zeroes it. Not a record: a record's
 * generated {@code toString} and {@code equals} would show and compare the secret.
 */
public final class FoundSecret implements AutoCloseable {

  private final String locator;
  private final CredentialId id;
  private final Map<String, String> metadata;
  private final Secret secret;
  private final List<String> skippedMetadata;

  /** Takes ownership of {@code secret}. */
  public FoundSecret(String locator, CredentialId id, Map<String, String> metadata, Secret secret) {
    this(locator, id, metadata, secret, List.of());
  }

  /** As above; {@code skippedMetadata} names attributes found but not carried (empty, too long). */
  public FoundSecret(String locator, CredentialId id, Map<String, String> metadata, Secret secret,
      List<String> skippedMetadata) {
    this.locator = Objects.requireNonNull(locator, "locator");
    this.id = Objects.requireNonNull(id, "id");
    this.metadata = Map.copyOf(new TreeMap<>(metadata));
    this.secret = Objects.requireNonNull(secret, "secret");
    this.skippedMetadata = List.copyOf(skippedMetadata);
  }

  /** Attributes found but not carried (empty, too long or not printable). */
  public List<String> skippedMetadata() {
    return skippedMetadata;
  }

  /** Where in the file, as the report and the migration record name it; never the secret. */
  public String locator() {
    return locator;
  }

  public CredentialId id() {
    return id;
  }

  /** Attribute name to value, non-secret. */
  public Map<String, String> metadata() {
    return new TreeMap<>(metadata);
  }

  /** The secret, still owned by this object. */
  public Secret secret() {
    return secret;
  }

  @Override
  public void close() {
    secret.close();
  }

  @Override
  public String toString() {
    return "FoundSecret[" + locator + " -> " + id + ", secret redacted]";
  }
}
