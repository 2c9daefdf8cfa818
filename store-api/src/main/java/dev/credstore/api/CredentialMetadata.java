package dev.credstore.api;

import dev.credstore.spi.Names;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything about a credential except its secret: safe to list, print and log.
 *
 * @param id which credential
 * @param kind what the secret is
 * @param keyName the non-secret key name of an {@link CredentialKind#API_KEY}; null for a token
 * @param attributes non-secret facts such as stack id, stack URL, project or organization; sorted
 *     by key, unmodifiable
 * @param createdAt when the credential was first stored
 * @param updatedAt when it last changed in any way
 * @param rotatedAt when its secret was last rotated; null if never
 * @param hasPreviousSecret whether one previous secret is kept for rollback
 */
public record CredentialMetadata(
    CredentialId id,
    CredentialKind kind,
    String keyName,
    Map<String, String> attributes,
    Instant createdAt,
    Instant updatedAt,
    Instant rotatedAt,
    boolean hasPreviousSecret) {

  /** Most attributes one credential may carry. */
  public static final int MAX_ATTRIBUTES = 64;
  /** Longest attribute value, in chars. */
  public static final int MAX_ATTRIBUTE_VALUE_LENGTH = 2048;
  /** Longest API key name, in chars. */
  public static final int MAX_KEY_NAME_LENGTH = 256;

  /** @throws IllegalArgumentException naming the bad field */
  public CredentialMetadata {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    if (kind == CredentialKind.API_KEY) {
      Names.check("key name", keyName, MAX_KEY_NAME_LENGTH);
    } else if (keyName != null) {
      throw new IllegalArgumentException("a " + kind + " credential has no key name");
    }
    attributes = checkedAttributes(attributes);
  }

  /** The key name, present only for {@link CredentialKind#API_KEY}. */
  public Optional<String> optionalKeyName() {
    return Optional.ofNullable(keyName);
  }

  /** The rotation time, present once the secret has been rotated. */
  public Optional<Instant> optionalRotatedAt() {
    return Optional.ofNullable(rotatedAt);
  }

  /** When the secret was last set: the rotation time if rotated, else the creation time. */
  public Instant secretSetAt() {
    return rotatedAt != null ? rotatedAt : createdAt;
  }

  private static Map<String, String> checkedAttributes(Map<String, String> attributes) {
    if (attributes == null || attributes.isEmpty()) {
      return Collections.emptySortedMap();
    }
    if (attributes.size() > MAX_ATTRIBUTES) {
      throw new IllegalArgumentException(
          attributes.size() + " attributes, more than the limit of " + MAX_ATTRIBUTES);
    }
    TreeMap<String, String> copy = new TreeMap<>();
    attributes.forEach((key, value) -> {
      if (!isAttributeName(key)) {
        throw new IllegalArgumentException("attribute name '" + key
            + "' must start with a letter and use only letters, digits, '.', '_' or '-'"
            + " (at most 64 chars)");
      }
      if (value == null) {
        throw new IllegalArgumentException("attribute '" + key + "' has no value");
      }
      if (value.length() > MAX_ATTRIBUTE_VALUE_LENGTH) {
        throw new IllegalArgumentException("attribute '" + key + "' is longer than "
            + MAX_ATTRIBUTE_VALUE_LENGTH + " chars");
      }
      Names.checkPrintable("attribute '" + key + "'", value);
      copy.put(key, value);
    });
    return Collections.unmodifiableSortedMap(copy);
  }

  /** An attribute name: a letter, then letters, digits, '.', '_' or '-'; at most 64 chars. */
  static boolean isAttributeName(String name) {
    return Names.isAttributeName(name);
  }
}
