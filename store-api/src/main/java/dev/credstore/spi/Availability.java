package dev.credstore.spi;

import java.util.Objects;

/**
 * A provider's answer to "can you work here?".
 *
 * @param available whether the backend can be used
 * @param reason why not, or a short note on what was found (e.g. "Secret Service on the session
 *     bus"); never null
 */
public record Availability(boolean available, String reason) {

  public Availability {
    Objects.requireNonNull(reason, "reason");
  }

  public static Availability available(String note) {
    return new Availability(true, note);
  }

  public static Availability unavailable(String reason) {
    return new Availability(false, reason);
  }
}
