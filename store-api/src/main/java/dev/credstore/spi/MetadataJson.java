package dev.credstore.spi;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.Secret;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON encoding of a credential's metadata, shared by backends that keep metadata as JSON
 * (the file store's payload, the keychain's index), with Jackson's streaming API only. Written in
 * two parts so that a backend may put the secret fields between them:
 *
 * <pre>
 * {"service":…,"account":…,"kind":"TOKEN"|"API_KEY",["keyName":…,]   ← {@link #writeIdentity}
 *  …the backend's own fields…
 *  "attributes":{…},"createdAt":…,"updatedAt":…[,"rotatedAt":…]}      ← {@link #writeDetails}
 * </pre>
 *
 * Times are ISO-8601 instants ({@link Timestamps}). Reading is strict: a repeated field, a value of
 * the wrong type or a missing field is an error, and a field that is not metadata is left to the
 * backend ({@link Reader#accept} returns false).
 */
public final class MetadataJson {

  private MetadataJson() {}

  /** Writes service, account, kind and the key name (if any) into the current object. */
  public static void writeIdentity(JsonGenerator gen, CredentialMetadata m) throws IOException {
    gen.writeStringField("service", m.id().service());
    gen.writeStringField("account", m.id().account());
    gen.writeStringField("kind", m.kind().name());
    if (m.keyName() != null) {
      gen.writeStringField("keyName", m.keyName());
    }
  }

  /** Writes the attributes and times into the current object. */
  public static void writeDetails(JsonGenerator gen, CredentialMetadata m) throws IOException {
    writeAttributes(gen, m.attributes());
    gen.writeStringField("createdAt", m.createdAt().toString());
    gen.writeStringField("updatedAt", m.updatedAt().toString());
    if (m.rotatedAt() != null) {
      gen.writeStringField("rotatedAt", m.rotatedAt().toString());
    }
  }

  /** Writes {@code "attributes":{…}}, in the map's order, into the current object. */
  public static void writeAttributes(JsonGenerator gen, Map<String, String> attributes)
      throws IOException {
    gen.writeObjectFieldStart("attributes");
    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
      gen.writeStringField(attribute.getKey(), attribute.getValue());
    }
    gen.writeEndObject();
  }

  /** Collects the metadata fields of one JSON object as a parser meets them. Not thread-safe. */
  public static final class Reader {
    private final Map<String, String> text = new HashMap<>();
    private final Map<String, String> attributes = new TreeMap<>();
    private boolean sawAttributes;

    /**
     * Reads the value of {@code field} (the parser is on {@code value}) if it is a metadata field.
     *
     * @return false, with the parser untouched, if {@code field} is not metadata
     * @throws IOException if the value has the wrong type or the field came twice
     */
    public boolean accept(String field, JsonToken value, JsonParser p) throws IOException {
      switch (field) {
        case "attributes" -> {
          Json.expect(value, JsonToken.START_OBJECT);
          if (sawAttributes) {
            throw new IOException("duplicate field attributes");
          }
          sawAttributes = true;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            Json.expect(p.nextToken(), JsonToken.VALUE_STRING);
            attributes.put(name, p.getText());
          }
          Json.expect(p.currentToken(), JsonToken.END_OBJECT);
          return true;
        }
        case "service", "account", "kind", "keyName", "createdAt", "updatedAt", "rotatedAt" -> {
          Json.expect(value, JsonToken.VALUE_STRING);
          if (text.put(field, p.getText()) != null) {
            throw new IOException("duplicate field " + field);
          }
          return true;
        }
        default -> {
          return false;
        }
      }
    }

    /** The metadata read. */
    public CredentialMetadata metadata(boolean hasPreviousSecret) throws IOException {
      CredentialKind kind = kind();
      try {
        return new CredentialMetadata(id(), kind,
            kind == CredentialKind.API_KEY ? required("keyName") : text.get("keyName"),
            attributes, instant(required("createdAt")), instant(required("updatedAt")),
            text.containsKey("rotatedAt") ? instant(text.get("rotatedAt")) : null,
            hasPreviousSecret);
      } catch (IllegalArgumentException e) {
        throw new IOException(e.getMessage(), e);
      }
    }

    /** The credential of this metadata and {@code secret} (and {@code previous}, may be null). */
    public Credential credential(Secret secret, Secret previous) throws IOException {
      Credential.Builder builder = Credential.builder(id());
      if (kind() == CredentialKind.API_KEY) {
        builder.apiKey(required("keyName"), secret);
      } else {
        builder.token(secret);
      }
      return builder.attributes(attributes)
          .previousSecret(previous)
          .createdAt(instant(required("createdAt")))
          .updatedAt(instant(required("updatedAt")))
          .rotatedAt(text.containsKey("rotatedAt") ? instant(text.get("rotatedAt")) : null)
          .build();
    }

    private CredentialId id() throws IOException {
      return new CredentialId(required("service"), required("account"));
    }

    private CredentialKind kind() throws IOException {
      try {
        return CredentialKind.valueOf(required("kind"));
      } catch (IllegalArgumentException e) {
        throw new IOException("unknown kind '" + text.get("kind") + "'", e);
      }
    }

    private String required(String field) throws IOException {
      String value = text.get(field);
      if (value == null) {
        throw new IOException("credential without '" + field + "'");
      }
      return value;
    }
  }

  private static Instant instant(String value) throws IOException {
    try {
      return Timestamps.parse(value);
    } catch (DateTimeParseException e) {
      throw new IOException("bad timestamp '" + value + "'", e);
    }
  }
}
