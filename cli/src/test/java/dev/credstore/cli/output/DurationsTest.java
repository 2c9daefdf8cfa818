package dev.credstore.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.cli.output.ExitCodes.UsageException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

  @Test
  void parse_acceptsShortFormsAndIso8601() {
    assertEquals(Duration.ofDays(90), Durations.parse("90d", "--max-age"));
    assertEquals(Duration.ofHours(12), Durations.parse("12h", "--max-age"));
    assertEquals(Duration.ofMinutes(30), Durations.parse("30M", "--max-age"));
    assertEquals(Duration.ofSeconds(45), Durations.parse("45s", "--max-age"));
    assertEquals(Duration.ofDays(90), Durations.parse("P90D", "--max-age"));
    assertEquals(Duration.ofHours(36), Durations.parse("p1dt12h", "--max-age"));
  }

  @Test
  void parse_rejectsOtherTextZeroAndNegative_namingTheOption() {
    for (String bad : new String[] {"", "90", "d", "90 days", "1w", "P1M", "0d", "PT0S", "-P1D",
        "-5d", "99999999999d"}) {
      UsageException e = assertThrows(UsageException.class,
          () -> Durations.parse(bad, "--max-age"), bad);
      assertTrue(e.getMessage().startsWith("--max-age: '" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void format_usesTheLargestExactUnit() {
    assertEquals("90d", Durations.format(Duration.ofDays(90)));
    assertEquals("36h", Durations.format(Duration.ofHours(36)));
    assertEquals("2m", Durations.format(Duration.ofMinutes(2)));
    assertEquals("61s", Durations.format(Duration.ofSeconds(61)));
  }
}
