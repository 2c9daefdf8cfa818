package dev.credstore.cli.output;

import dev.credstore.cli.output.ExitCodes.UsageException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people type them: {@code 90d}, {@code 12h}, {@code 30m}, {@code 45s}, or ISO-8601. */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("([0-9]{1,9})([dhms])");

  private Durations() {}

  /**
   * Parses {@code 90d}, {@code 12h}, {@code 30m}, {@code 45s}, or ISO-8601 such as {@code P90D} or
   * {@code PT12H}. A day is 24 hours.
   *
   * @throws UsageException naming {@code option} if the text is none of those or not positive
   */
  public static Duration parse(String text, String option) {
    Duration duration;
    Matcher matcher = SHORT.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (matcher.matches()) {
      long amount = Long.parseLong(matcher.group(1));
      duration = switch (matcher.group(2)) {
        case "d" -> Duration.ofDays(amount);
        case "h" -> Duration.ofHours(amount);
        case "m" -> Duration.ofMinutes(amount);
        default -> Duration.ofSeconds(amount);
      };
    } else {
      try {
        duration = Duration.parse(text.strip().toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new UsageException(option + ": '" + text + "' is not a duration; use e.g. 90d, 12h, "
            + "30m, 45s or ISO-8601 such as P90D", e);
      }
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new UsageException(option + ": '" + text + "' must be longer than zero");
    }
    return duration;
  }

  /** "90d", "12h", "30m" or "45s" when exact, else ISO-8601. */
  public static String format(Duration duration) {
    long seconds = duration.getSeconds();
    if (duration.getNano() == 0) {
      if (seconds % 86_400 == 0) {
        return seconds / 86_400 + "d";
      }
      if (seconds % 3600 == 0) {
        return seconds / 3600 + "h";
      }
      if (seconds % 60 == 0) {
        return seconds / 60 + "m";
      }
      return seconds + "s";
    }
    return duration.toString();
  }
}
