package dev.credstore.cli.migrate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.credstore.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The surgical removal of the token member: every other byte must survive. */
class PlaintextConfigTest {

  private static final String K6 = "/collectors/cloud/token";
  private static final Map<String, String> K6_METADATA = Map.of(
      "stack", "/collectors/cloud/stackURL",
      "stackID", "/collectors/cloud/stackID",
      "project", "/collectors/cloud/defaultProjectID");

  /** Input with the member, expected output without it. */
  private record Case(String name, String before, String after) {}

  @Test
  void removesOnlyTheMember_byteForByte_inEveryPosition() throws Exception {
    List<Case> cases = List.of(
        new Case("only member, pretty",
            "{\n  \"collectors\": {\n    \"cloud\": {\n      \"token\": \"T\"\n    }\n  }\n}\n",
            "{\n  \"collectors\": {\n    \"cloud\": {}\n  }\n}\n"),
        new Case("only member, compact",
            "{\"collectors\":{\"cloud\":{\"token\":\"T\"}}}",
            "{\"collectors\":{\"cloud\":{}}}"),
        new Case("first of several",
            "{\"collectors\": {\"cloud\": {\n\t\"token\" : \"T\" ,\n\t\"stackID\": 1.50e3\n}}}",
            "{\"collectors\": {\"cloud\": {\n\t\"stackID\": 1.50e3\n}}}"),
        new Case("middle",
            "{\"collectors\":{\"cloud\":{\"a\":1, \"token\":\"T\", \"b\":\"\\u00e9\\/\"}}}",
            "{\"collectors\":{\"cloud\":{\"a\":1, \"b\":\"\\u00e9\\/\"}}}"),
        new Case("last, CRLF",
            "{\"collectors\":{\"cloud\":{\r\n  \"stackURL\": \"https://x.grafana.net\",\r\n"
                + "  \"token\": \"T\"\r\n}}}\r\n",
            "{\"collectors\":{\"cloud\":{\r\n  \"stackURL\": \"https://x.grafana.net\"\r\n}}}\r\n"),
        new Case("BOM, unicode keys, other collectors around",
            "\uFEFF{\"collectors\":{\"influxdb\":{\"url\":\"http://h\u00e9:8086\",\"token\":\"NOT-ME\"},"
                + "\"cloud\":{\"token\":\"T\",\"\u00fcber\":[1,{\"token\":\"x\"}]},\"z\":null},"
                + "\"\u2713\":true}",
            "\uFEFF{\"collectors\":{\"influxdb\":{\"url\":\"http://h\u00e9:8086\",\"token\":\"NOT-ME\"},"
                + "\"cloud\":{\"\u00fcber\":[1,{\"token\":\"x\"}]},\"z\":null},\"\u2713\":true}"),
        new Case("token value with escapes and a brace",
            "{\"collectors\":{\"cloud\":{\"token\":\"a\\\"}{,\\\\b\",\"x\":2}}}",
            "{\"collectors\":{\"cloud\":{\"x\":2}}}"));
    List<String> failures = new ArrayList<>();
    for (Case c : cases) {
      byte[] before = c.before().getBytes(StandardCharsets.UTF_8);
      try (PlaintextConfig config = PlaintextConfig.parse(before, K6, K6_METADATA)) {
        if (config.token().isEmpty()) {
          failures.add(c.name() + ": no token found");
          continue;
        }
        String after = new String(config.scrubbed(), StandardCharsets.UTF_8);
        if (!after.equals(c.after())) {
          failures.add(c.name() + ": got " + after);
        }
        new ObjectMapper().readTree(config.scrubbed());
      }
    }
    assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
  }

  @Test
  void readsTheTokenWithEscapesDecoded_andCarriesMetadataAsWritten() throws Exception {
    String json = "{\"collectors\":{\"cloud\":{\"token\":\"ab\\u0041\\\"c\",\"stackID\":123,"
        + "\"stackURL\":\"https://my.grafana.net\",\"defaultProjectID\":4.50,\"other\":\"o\"}}}";
    try (PlaintextConfig config =
        PlaintextConfig.parse(json.getBytes(StandardCharsets.UTF_8), K6, K6_METADATA)) {
      char[] token = config.token().orElseThrow().revealChars();
      assertEquals("abA\"c", new String(token));
      assertEquals(Map.of("stack", "https://my.grafana.net", "stackID", "123", "project", "4.50"),
          config.metadata());
      assertFalse(config.toString().contains("abA"));
    }
  }

  @Test
  void pointerWithEscapedSegments_reachesKeysWithSlashAndTilde() throws Exception {
    String json = "{\"profiles\":{\"a/b\":{\"x~y\":\"T\",\"keep\":1}}}";
    try (PlaintextConfig config = PlaintextConfig.parse(json.getBytes(StandardCharsets.UTF_8),
        "/profiles/a~1b/x~0y", Map.of())) {
      assertTrue(config.token().isPresent());
      assertEquals("{\"profiles\":{\"a/b\":{\"keep\":1}}}",
          new String(config.scrubbed(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void absentNullOrEmptyToken_isNoTokenWithAReason() throws Exception {
    for (String json : List.of("{}", "{\"collectors\":{\"cloud\":{\"token\":null}}}",
        "{\"collectors\":{\"cloud\":{\"token\":\"  \"}}}", "[1,2]", "{\"collectors\":[]}")) {
      try (PlaintextConfig config =
          PlaintextConfig.parse(json.getBytes(StandardCharsets.UTF_8), K6, K6_METADATA)) {
        assertTrue(config.token().isEmpty(), json);
        assertTrue(config.noTokenReason().contains(K6), config::noTokenReason);
        assertThrows(IllegalStateException.class, config::scrubbed);
      }
    }
  }

  @Test
  void malformedDuplicateOrNonStringTokens_areRefusedWithoutShowingThem() {
    Map<String, String> refusals = Map.of(
        "{\"collectors\":{\"cloud\":{\"token\":\"SECRET-1\",}}}", "not valid JSON",
        "{\"collectors\":{\"cloud\":{\"token\":\"SECRET-2\"}}} trailing", "not valid JSON",
        "{\"collectors\":{\"cloud\":{\"token\":\"SECRET-3\",\"token\":\"SECRET-4\"}}}",
            "more than once",
        "{\"collectors\":{\"cloud\":{\"token\":42}}}", "not a string but a number",
        "{\"collectors\":{\"cloud\":{\"token\":{\"v\":\"SECRET-5\"}}}}", "not a string but an object",
        "{\"collectors\":{\"cloud\":{\"token\":\"SECRET-6", "not valid JSON",
        "{\"collectors\":{\"cloud\":{\"token\":\"SECRET-7\"}}} {}", "more than one document");
    List<String> failures = new ArrayList<>();
    refusals.forEach((json, expected) -> {
      try {
        PlaintextConfig.parse(json.getBytes(StandardCharsets.UTF_8), K6, K6_METADATA).close();
        failures.add("accepted: " + json);
      } catch (ConfigurationException e) {
        if (!e.getMessage().contains(expected) || e.getMessage().contains("SECRET")) {
          failures.add(json + " -> " + e.getMessage());
        }
      }
    });
    assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
  }

  @Test
  void pointerIntoAnArray_orUtf16_isRefused() {
    ConfigurationException array = assertThrows(ConfigurationException.class,
        () -> PlaintextConfig.parse("{\"t\":[\"T\"]}".getBytes(StandardCharsets.UTF_8), "/t/0",
            Map.of()));
    assertTrue(array.getMessage().contains("array element"), array::getMessage);
    assertThrows(ConfigurationException.class, () -> PlaintextConfig.parse(
        "{\"token\":\"T\"}".getBytes(StandardCharsets.UTF_16BE), "/token", Map.of()));
  }

  @Test
  void badPointers_areUsageErrors() {
    assertThrows(IllegalArgumentException.class, () -> PlaintextConfig.pointer("token"));
    assertThrows(IllegalArgumentException.class, () -> PlaintextConfig.pointer(""));
  }

  @Test
  void close_zeroesTheToken() throws Exception {
    PlaintextConfig config = PlaintextConfig.parse(
        "{\"token\":\"T\"}".getBytes(StandardCharsets.UTF_8), "/token", Map.of());
    var token = config.token().orElseThrow();
    config.close();
    assertTrue(token.isClosed());
    assertNull(config.noTokenReason());
    assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), config.scrubbed());
  }
}
