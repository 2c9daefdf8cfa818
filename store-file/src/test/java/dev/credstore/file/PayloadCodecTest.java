package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The payload's bytes are fixed by format 1: a known answer, and a round trip. */
class PayloadCodecTest {

  private final List<Credential> credentials = new ArrayList<>();

  @AfterEach
  void zero() {
    credentials.forEach(Credential::close);
  }

  // What format 1 writes for sample(), as written before credentials were encoded one by one.
  private static final String KNOWN = "{\"credentials\":["
      + "{\"service\":\"a-service\",\"account\":\"alice\",\"kind\":\"TOKEN\","
      + "\"secret\":\"tok-\u00e9\\\"\\\\\\n\u2603\","
      + "\"attributes\":{\"id\":\"42\",\"stack\":\"d\u00e9mo \\\"x\\\"\"},"
      + "\"createdAt\":\"2026-11-23T10:15:30.123Z\",\"updatedAt\":\"2026-11-23T10:15:30.123Z\"},"
      + "{\"service\":\"b-service\",\"account\":\"default\",\"kind\":\"API_KEY\","
      + "\"keyName\":\"primary\",\"secret\":\"key-2\",\"previousSecret\":\"key-1\","
      + "\"attributes\":{},\"createdAt\":\"2026-11-23T10:15:30.123Z\","
      + "\"updatedAt\":\"2026-11-23T10:16:30.123Z\",\"rotatedAt\":\"2026-11-23T10:16:30.123Z\"}"
      + "]}";

  @Test
  void encode_writesTheKnownPayload() {
    assertEquals(KNOWN, new String(PayloadCodec.encode(sample()), StandardCharsets.UTF_8));
  }

  @Test
  void encode_ofNothing_isAnEmptyList() {
    assertEquals("{\"credentials\":[]}",
        new String(PayloadCodec.encode(List.of()), StandardCharsets.UTF_8));
  }

  @Test
  void joinedObjects_decodeToTheSameCredentials() throws Exception {
    List<byte[]> objects = PayloadCodec.encodeEach(sample());
    Map<CredentialId, Credential> decoded = PayloadCodec.decode(PayloadCodec.join(objects));
    try {
      assertEquals(credentials.stream().map(Credential::metadata).toList(),
          decoded.values().stream().map(Credential::metadata).toList());
      for (Credential original : credentials) {
        assertTrue(original.secret().sameAs(decoded.get(original.id()).secret()));
      }
    } finally {
      decoded.values().forEach(Credential::close);
    }
  }

  @Test
  void decode_keepsEachObjectAsRead_andTheyJoinToTheSamePayload() throws Exception {
    byte[] payload = PayloadCodec.encode(sample());
    Map<CredentialId, byte[]> objects = new TreeMap<>();
    Map<CredentialId, Credential> decoded = PayloadCodec.decode(payload, objects);
    try {
      assertEquals(decoded.keySet(), objects.keySet());
      assertArrayEquals(payload, PayloadCodec.join(objects.values()));
    } finally {
      decoded.values().forEach(Credential::close);
    }
  }

  @Test
  void decode_ofALooselyFormattedPayload_keepsObjectsThatDecodeAlike() throws Exception {
    String loose = "{ \"credentials\" : [\n  { \"kind\": \"TOKEN\", \"account\": \"x\",\n"
        + "    \"service\": \"s\", \"secret\": \"t1\", \"attributes\": { \"a\": \"b\" },\n"
        + "    \"updatedAt\": \"2026-11-23T10:15:30.123Z\", \"createdAt\": \"2026-11-23T10:15:30Z\" } ,"
        + " {\"service\":\"r\",\"account\":\"y\",\"kind\":\"TOKEN\",\"secret\":\"t2\","
        + "\"attributes\":{},\"createdAt\":\"2026-11-23T10:15:30Z\","
        + "\"updatedAt\":\"2026-11-23T10:15:30Z\"}\n] }\n";
    Map<CredentialId, byte[]> objects = new TreeMap<>();
    Map<CredentialId, Credential> first =
        PayloadCodec.decode(loose.getBytes(StandardCharsets.UTF_8), objects);
    Map<CredentialId, Credential> again = PayloadCodec.decode(PayloadCodec.join(objects.values()));
    try {
      assertEquals(first.values().stream().map(Credential::metadata).toList(),
          again.values().stream().map(Credential::metadata).toList());
      for (Credential credential : first.values()) {
        assertTrue(credential.secret().sameAs(again.get(credential.id()).secret()));
      }
    } finally {
      first.values().forEach(Credential::close);
      again.values().forEach(Credential::close);
    }
  }

  @Test
  void decode_thatFails_keepsNoObjects() {
    byte[] payload = PayloadCodec.encode(sample());
    String twice = new String(payload, StandardCharsets.UTF_8).replace("]}", ","
        + new String(payload, StandardCharsets.UTF_8).substring("{\"credentials\":[".length()));
    Map<CredentialId, byte[]> objects = new TreeMap<>();
    assertThrows(PayloadCodec.MalformedPayloadException.class,
        () -> PayloadCodec.decode(twice.getBytes(StandardCharsets.UTF_8), objects));
    assertTrue(objects.isEmpty());
  }

  private List<Credential> sample() {
    Instant t = Instant.parse("2026-11-23T10:15:30.123Z");
    try (Secret token = Secret.of("tok-\u00e9\"\\\n\u2603");
        Secret key = Secret.of("key-2");
        Secret previous = Secret.of("key-1")) {
      credentials.add(Credential.builder(CredentialId.of("a-service", "alice")).token(token)
          .attribute("stack", "d\u00e9mo \"x\"").attribute("id", "42")
          .createdAt(t).updatedAt(t).build());
      credentials.add(Credential.builder(CredentialId.of("b-service")).apiKey("primary", key)
          .previousSecret(previous).createdAt(t).updatedAt(t.plusSeconds(60))
          .rotatedAt(t.plusSeconds(60)).build());
    }
    return credentials;
  }
}
