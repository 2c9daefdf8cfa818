package dev.credstore.keychain;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.spi.Timestamps;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * How credstore's Secret Service items are marked and what their attributes say (see the module
 * README). A current secret carries {@code service} and {@code username}, as Python keyring and
 * go-keyring look items up, so those tools and {@code secret-tool} read it; its metadata is in
 * {@code credstore.*} attributes. A previous secret kept by rotation is its own item of another
 * schema with neither {@code service} nor {@code username}, so no other tool's lookup finds it.
 */
final class ItemLayout {

  static final String APPLICATION = "application";
  static final String APPLICATION_VALUE = "credstore";
  static final String SCHEMA = "xdg:schema";
  static final String CURRENT_SCHEMA = "dev.credstore.Credential";
  static final String PREVIOUS_SCHEMA = "dev.credstore.PreviousSecret";
  static final String SERVICE = "service";
  static final String USERNAME = "username";
  /** Keytar's, java-keyring's and credstore 0.1's name for the account. */
  static final String ACCOUNT = "account";

  private static final String PREFIX = "credstore.";
  static final String FORMAT = PREFIX + "format";
  static final String FORMAT_VALUE = "2";
  static final String KIND = PREFIX + "kind";
  static final String KEY_NAME = PREFIX + "key-name";
  static final String CREATED = PREFIX + "created";
  static final String UPDATED = PREFIX + "updated";
  static final String ROTATED = PREFIX + "rotated";
  static final String HAS_PREVIOUS = PREFIX + "has-previous";
  static final String PREVIOUS_SERVICE = PREFIX + "service";
  static final String PREVIOUS_USERNAME = PREFIX + "username";
  static final String ATTRIBUTE = PREFIX + "attribute.";

  private ItemLayout() {}

  /** What marks every item of credstore's, current or previous. */
  static Map<String, String> marked(String schema) {
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put(APPLICATION, APPLICATION_VALUE);
    attributes.put(SCHEMA, schema);
    return attributes;
  }

  /** The search for credstore's current item of {@code id}. */
  static Map<String, String> currentOf(CredentialId id) {
    Map<String, String> attributes = marked(CURRENT_SCHEMA);
    attributes.put(SERVICE, id.service());
    attributes.put(USERNAME, id.account());
    return attributes;
  }

  /** The search for (and the attributes of) credstore's previous-secret item of {@code id}. */
  static Map<String, String> previousOf(CredentialId id) {
    Map<String, String> attributes = marked(PREVIOUS_SCHEMA);
    attributes.put(PREVIOUS_SERVICE, id.service());
    attributes.put(PREVIOUS_USERNAME, id.account());
    return attributes;
  }

  /** All attributes of a current item holding {@code metadata}. */
  static Map<String, String> current(CredentialMetadata metadata) {
    Map<String, String> attributes = currentOf(metadata.id());
    attributes.put(FORMAT, FORMAT_VALUE);
    attributes.put(KIND, metadata.kind().name());
    if (metadata.keyName() != null) {
      attributes.put(KEY_NAME, metadata.keyName());
    }
    attributes.put(CREATED, metadata.createdAt().toString());
    attributes.put(UPDATED, metadata.updatedAt().toString());
    if (metadata.rotatedAt() != null) {
      attributes.put(ROTATED, metadata.rotatedAt().toString());
    }
    attributes.put(HAS_PREVIOUS, Boolean.toString(metadata.hasPreviousSecret()));
    metadata.attributes().forEach((name, value) -> attributes.put(ATTRIBUTE + name, value));
    return attributes;
  }

  /** Whether the item's attributes mark it as credstore's current item. */
  static boolean isCurrent(Map<String, String> attributes) {
    return APPLICATION_VALUE.equals(attributes.get(APPLICATION))
        && CURRENT_SCHEMA.equals(attributes.get(SCHEMA));
  }

  static String label(CredentialId id) {
    return "credstore: " + id.service() + " (" + id.account() + ")";
  }

  static String previousLabel(CredentialId id) {
    return "credstore: previous secret of " + id.service() + " (" + id.account() + ")";
  }

  /**
   * The metadata a current item's attributes hold.
   *
   * @throws IllegalArgumentException naming the attribute that is missing or unreadable
   */
  static CredentialMetadata metadata(Map<String, String> attributes) {
    CredentialId id = new CredentialId(required(attributes, SERVICE),
        required(attributes, USERNAME));
    if (!FORMAT_VALUE.equals(attributes.get(FORMAT))) {
      throw new IllegalArgumentException("attribute " + FORMAT + " is not " + FORMAT_VALUE);
    }
    CredentialKind kind;
    try {
      kind = CredentialKind.valueOf(required(attributes, KIND));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("attribute " + KIND + " names no credential kind", e);
    }
    Map<String, String> own = new TreeMap<>();
    attributes.forEach((name, value) -> {
      if (name.startsWith(ATTRIBUTE)) {
        own.put(name.substring(ATTRIBUTE.length()), value);
      }
    });
    String rotated = attributes.get(ROTATED);
    return new CredentialMetadata(id, kind, attributes.get(KEY_NAME), own,
        time(attributes, CREATED, required(attributes, CREATED)),
        time(attributes, UPDATED, required(attributes, UPDATED)),
        rotated == null ? null : time(attributes, ROTATED, rotated),
        Boolean.parseBoolean(attributes.get(HAS_PREVIOUS)));
  }

  private static String required(Map<String, String> attributes, String name) {
    String value = attributes.get(name);
    if (value == null) {
      throw new IllegalArgumentException("attribute " + name + " is missing");
    }
    return value;
  }

  private static Instant time(Map<String, String> attributes, String name, String value) {
    try {
      return Timestamps.parse(value);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("attribute " + name + " is not a time", e);
    }
  }
}
