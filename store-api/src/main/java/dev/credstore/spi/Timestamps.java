package dev.credstore.spi;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;

/**
 * Reading back the instants a backend stored as {@link Instant#toString()}. {@link Instant#parse}
 * would do, but its formatter machinery costs a cold JVM ~4 ms, on every {@code get}: this reads
 * the canonical form ({@code 2026-11-23T18:21:56.303Z}: a four-digit year, 'T', 'Z', an optional
 * fraction of 1 to 9 digits) directly, and hands anything else to {@link Instant#parse}, so the
 * results and errors are exactly its.
 */
public final class Timestamps {

  private static final int[] SCALE = {
    100_000_000, 10_000_000, 1_000_000, 100_000, 10_000, 1_000, 100, 10, 1};

  private Timestamps() {}

  /**
   * The instant {@code text} names.
   *
   * @throws java.time.format.DateTimeParseException as {@link Instant#parse} does
   */
  public static Instant parse(CharSequence text) {
    Instant canonical = parseCanonical(text);
    return canonical != null ? canonical : Instant.parse(text);
  }

  /** The canonical form's instant, or null for any other text (Instant.parse then decides). */
  static Instant parseCanonical(CharSequence s) {
    int length = s.length();
    if (length < 20 || length == 21 || length > 30 || s.charAt(4) != '-' || s.charAt(7) != '-'
        || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':'
        || s.charAt(length - 1) != 'Z') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    int nanos = 0;
    if (length > 20) {
      int fractionDigits = length - 21;
      int fraction = s.charAt(19) == '.' ? digits(s, 20, fractionDigits) : -1;
      if (fraction < 0) {
        return null;
      }
      nanos = fraction * SCALE[fractionDigits - 1];
    }
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59) {
      return null; // includes the leap second 23:59:60, which Instant.parse smooths
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return null;
    }
    return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second, nanos);
  }

  private static int digits(CharSequence s, int start, int count) {
    int value = 0;
    for (int i = start; i < start + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
