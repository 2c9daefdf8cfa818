package dev.credstore.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Timestamps#parse} gives exactly what {@link Instant#parse} gives, or throws as it does. */
class TimestampsTest {

  // 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in epoch seconds.
  private static final long YEAR_0 = -62_167_219_200L;
  private static final long YEAR_10000 = 253_402_300_800L;

  @Test
  void canonicalForms_parseLikeInstantParse_andTakeTheFastPath() {
    Random random = new Random(7);
    for (int i = 0; i < 50_000; i++) {
      long seconds = YEAR_0 + Math.floorMod(random.nextLong(), YEAR_10000 - YEAR_0);
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      String text = Instant.ofEpochSecond(seconds, nanos).toString();
      assertNotNull(Timestamps.parseCanonical(text), text);
      assertEquals(Instant.parse(text), Timestamps.parse(text), text);
    }
  }

  @Test
  void otherAndBrokenForms_behaveLikeInstantParse() {
    List<String> texts = List.of("2026-11-23T18:21:56Z", "2026-11-23T18:21:56.1Z",
        "2026-11-23T18:21:56.123456789Z", "2026-11-23T23:59:60Z", "2026-02-29T00:00:00Z",
        "2024-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-11-23T24:00:00Z", "2026-11-23T18:21:56.Z", "2026-11-23T18:21:56.1234567890Z",
        "2026-11-23t18:21:56z", "2026-11-23T18:21:56+01:00", "+12026-11-23T18:21:56Z",
        "-0001-11-23T18:21:56Z", "2026-11-23 18:21:56Z", "2026-1x-23T18:21:56Z", "", "Z",
        "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z");
    for (String text : texts) {
      assertEquals(outcome(() -> Instant.parse(text)), outcome(() -> Timestamps.parse(text)),
          text);
    }
    assertThrows(NullPointerException.class, () -> Timestamps.parse(null));
  }

  private static Object outcome(java.util.function.Supplier<Instant> parse) {
    try {
      return parse.get();
    } catch (DateTimeException e) {
      return e.getClass();
    }
  }
}
