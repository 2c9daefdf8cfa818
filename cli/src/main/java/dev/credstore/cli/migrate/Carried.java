package dev.credstore.cli.migrate;

import dev.credstore.api.CredentialMetadata;
import dev.credstore.cli.output.Formats;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Which of a found secret's metadata a credential can carry, and how the report says so. */
final class Carried {

  private Carried() {}

  /** Metadata a credential can hold: printable, not empty, not too long. */
  static Map<String, String> usable(Map<String, String> metadata) {
    Map<String, String> usable = new TreeMap<>();
    metadata.forEach((name, value) -> {
      if (usable(value)) {
        usable.put(name, value);
      }
    });
    return usable;
  }

  private static boolean usable(String value) {
    return !value.isEmpty() && value.length() <= CredentialMetadata.MAX_ATTRIBUTE_VALUE_LENGTH
        && value.chars().noneMatch(Character::isISOControl);
  }

  /** The report's note on what was carried and what was not; "" when there is no metadata. */
  static String note(FoundSecret secret) {
    Map<String, String> carried = usable(secret.metadata());
    String text = carried.isEmpty() ? "" : "; attributes " + Formats.attributes(carried);
    List<String> skipped = new ArrayList<>(secret.skippedMetadata());
    secret.metadata().forEach((name, value) -> {
      if (!usable(value)) {
        skipped.add(name);
      }
    });
    if (!skipped.isEmpty()) {
      text += "; not carried (empty, too long or not printable): " + String.join(", ", skipped);
    }
    return text;
  }

  /** The names of the metadata carried. */
  static List<String> names(FoundSecret secret) {
    return List.copyOf(usable(secret.metadata()).keySet());
  }
}
