package dev.credstore.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.Secret;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one secret-safe factory and the one metadata encoding. */
class JsonTest {

  private static final Instant T = Instant.parse("2026-11-23T10:15:30.123Z");

  @Test
  void factory_recyclesNoBuffers_andQuotesNoSourceInErrors() {
    JsonFactory factory = Json.factory();
    assertFalse(factory.isEnabled(JsonFactory.Feature.USE_THREAD_LOCAL_FOR_BUFFER_RECYCLING));
    assertFalse(factory.isEnabled(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION));
    byte[] broken = "{\"token\":\"hunter2-secret\" oops}".getBytes(StandardCharsets.UTF_8);
    JsonProcessingException e = assertThrows(JsonProcessingException.class, () -> {
      try (JsonParser p = factory.createParser(broken)) {
        while (p.nextToken() != null) {
          // read to the error
        }
      }
    });
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  void metadata_roundTripsThroughTheSharedEncoding() throws IOException {
    CredentialMetadata written = new CredentialMetadata(CredentialId.of("svc", "alice"),
        CredentialKind.API_KEY, "primary", Map.of("stack", "d\u00e9mo"), T, T.plusSeconds(60),
        T.plusSeconds(60), true);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = Json.generator(out)) {
      gen.writeStartObject();
      MetadataJson.writeIdentity(gen, written);
      gen.writeStringField("own", "field");
      MetadataJson.writeDetails(gen, written);
      gen.writeEndObject();
    }
    assertEquals("{\"service\":\"svc\",\"account\":\"alice\",\"kind\":\"API_KEY\","
        + "\"keyName\":\"primary\",\"own\":\"field\",\"attributes\":{\"stack\":\"d\u00e9mo\"},"
        + "\"createdAt\":\"2026-11-23T10:15:30.123Z\",\"updatedAt\":\"2026-11-23T10:16:30.123Z\","
        + "\"rotatedAt\":\"2026-11-23T10:16:30.123Z\"}", out.toString(StandardCharsets.UTF_8));
    MetadataJson.Reader reader = read(out.toByteArray(), "own");
    assertEquals(written, reader.metadata(true));
    try (Secret secret = Secret.of("s3cret"); Credential credential = reader.credential(secret, null)) {
      assertEquals(written.id(), credential.id());
      assertEquals("primary", credential.metadata().keyName());
      assertTrue(credential.secret().sameAs(secret));
    }
  }

  @Test
  void metadataReader_refusesRepeatedFieldsWrongTypesAndMissingFields() {
    assertThrows(IOException.class, () -> read(
        "{\"service\":\"a\",\"service\":\"b\"}".getBytes(StandardCharsets.UTF_8), null));
    assertThrows(IOException.class, () -> read(
        "{\"service\":1}".getBytes(StandardCharsets.UTF_8), null));
    assertThrows(IOException.class, () -> read(
        "{\"service\":\"a\",\"account\":\"b\",\"kind\":\"TOKEN\"}".getBytes(StandardCharsets.UTF_8),
        null).metadata(false));
  }

  private static MetadataJson.Reader read(byte[] json, String ownField) throws IOException {
    MetadataJson.Reader reader = new MetadataJson.Reader();
    try (JsonParser p = Json.factory().createParser(json)) {
      p.nextToken();
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (!reader.accept(field, value, p)) {
          assertEquals(ownField, field, "only the backend's own field is left to it");
        }
      }
    }
    return reader;
  }
}
