package dev.credstore.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FormatsTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  @Test
  void age_isShortAndRoundsDown() {
    assertEquals("just now", Formats.age(NOW.minusSeconds(59), NOW));
    assertEquals("just now", Formats.age(NOW.plusSeconds(30), NOW));
    assertEquals("5m", Formats.age(NOW.minusSeconds(5 * 60 + 59), NOW));
    assertEquals("3h", Formats.age(NOW.minusSeconds(3 * 3600), NOW));
    assertEquals("400d", Formats.age(NOW.minusSeconds(400 * 86_400L), NOW));
    assertEquals("3y", Formats.age(NOW.minusSeconds(3 * 366 * 86_400L), NOW));
  }

  @Test
  void time_isUtcToTheMinute() {
    assertEquals("2025-06-01 12:00Z", Formats.time(NOW));
    assertEquals("-", Formats.time(null));
  }

  @Test
  void tilde_replacesOnlyTheHomePrefix() {
    assertEquals("~/.local/x", Formats.tilde("/home/u/.local/x", "/home/u"));
    assertEquals("/home/user2/x", Formats.tilde("/home/user2/x", "/home/u"));
    assertEquals("/x", Formats.tilde("/x", null));
  }

  @Test
  void attributesAndTable() {
    Map<String, String> attributes = new TreeMap<>(Map.of("b", "2", "a", "1"));
    assertEquals("a=1, b=2", Formats.attributes(attributes));
    assertEquals("-", Formats.attributes(Map.of()));
    assertEquals("A    BB\nccc  d\n",
        Formats.table(List.of(new String[] {"A", "BB"}, new String[] {"ccc", "d"})));
  }
}
