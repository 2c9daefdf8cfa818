package dev.credstore.cli.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.spi.MetadataJson;
import dev.credstore.spi.Json;
import java.io.IOException;
import java.io.Writer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Text and JSON renderings shared by the commands. No method here ever sees a secret. */
public final class Formats {

  // The secret-safe factory: no recycled buffers, no source excerpts in errors.
  private static final JsonFactory JSON = Json.factory();
  private static final DateTimeFormatter MINUTES =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm'Z'").withZone(ZoneOffset.UTC);

  private Formats() {}

  /**
   * A JSON generator that writes one document to {@code out} and leaves it open: indented for a
   * person when {@code pretty}, else on one line for scripts.
   */
  public static JsonGenerator json(Writer out, boolean pretty) throws IOException {
    JsonGenerator generator = JSON.createGenerator(out);
    generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    if (pretty) {
      generator.useDefaultPrettyPrinter();
    }
    return generator;
  }

  /** "token" or "api-key": the stable JSON and table spelling of a kind. */
  static String kind(CredentialKind kind) {
    return kind == CredentialKind.API_KEY ? "api-key" : "token";
  }

  /**
   * Writes the fields of {@code metadata} into the current JSON object: service, account, kind,
   * keyName, attributes, createdAt, updatedAt, rotatedAt, ageSeconds, hasPreviousSecret.
   */
  public static void metadataFields(JsonGenerator json, CredentialMetadata metadata, Instant now)
      throws IOException {
    json.writeStringField("service", metadata.id().service());
    json.writeStringField("account", metadata.id().account());
    json.writeStringField("kind", kind(metadata.kind()));
    json.writeStringField("keyName", metadata.keyName());
    MetadataJson.writeAttributes(json, metadata.attributes());
    json.writeStringField("createdAt", metadata.createdAt().toString());
    json.writeStringField("updatedAt", metadata.updatedAt().toString());
    json.writeStringField("rotatedAt",
        metadata.rotatedAt() == null ? null : metadata.rotatedAt().toString());
    json.writeNumberField("ageSeconds",
        Math.max(0, Duration.between(metadata.secretSetAt(), now).getSeconds()));
    json.writeBooleanField("hasPreviousSecret", metadata.hasPreviousSecret());
  }

  /** Writes {@code field} as a JSON array of {@code values}, in their order. */
  public static void stringArray(JsonGenerator json, String field, List<String> values)
      throws IOException {
    json.writeArrayFieldStart(field);
    for (String value : values) {
      json.writeString(value);
    }
    json.writeEndArray();
  }

  /** "2025-01-02 03:04Z"; "-" for null. */
  public static String time(Instant time) {
    return time == null ? "-" : MINUTES.format(time);
  }

  /** A short age: "just now", "5m", "3h", "12d", "2y". */
  static String age(Instant since, Instant now) {
    long seconds = Math.max(0, Duration.between(since, now).getSeconds());
    if (seconds < 60) {
      return "just now";
    }
    if (seconds < 3600) {
      return seconds / 60 + "m";
    }
    if (seconds < 86_400) {
      return seconds / 3600 + "h";
    }
    if (seconds < 2 * 365 * 86_400L) {
      return seconds / 86_400 + "d";
    }
    return seconds / (365 * 86_400L) + "y";
  }

  /** "a=1, b=2"; "-" when empty. */
  public static String attributes(Map<String, String> attributes) {
    return attributes.isEmpty() ? "-" : attributes.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
  }

  /** {@code location} with a leading home directory shown as {@code ~}. */
  public static String tilde(String location, String home) {
    if (home == null || home.isEmpty() || home.equals("/")) {
      return location;
    }
    String prefix = home.endsWith("/") ? home : home + "/";
    return location.startsWith(prefix) ? "~/" + location.substring(prefix.length()) : location;
  }

  /** The credentials as {@code list} shows them, one row each under a header; no secrets. */
  public static String credentialTable(List<CredentialMetadata> credentials, Instant now) {
    return credentialTable(credentials, now, null);
  }

  /** As above; with {@code fingerprints} (status) a FINGERPRINT column after KIND. */
  public static String credentialTable(List<CredentialMetadata> credentials, Instant now,
      Map<CredentialId, String> fingerprints) {
    List<String[]> rows = new ArrayList<>();
    rows.add(withFingerprint(fingerprints, "FINGERPRINT", new String[] {"SERVICE", "ACCOUNT",
        "KIND", "KEY NAME", "CREATED", "ROTATED", "AGE", "ATTRIBUTES"}));
    for (CredentialMetadata metadata : credentials) {
      String fingerprint = fingerprints == null ? null
          : fingerprints.getOrDefault(metadata.id(), "-");
      rows.add(withFingerprint(fingerprints, fingerprint, new String[] {
          metadata.id().service(),
          metadata.id().account(),
          kind(metadata.kind()),
          metadata.keyName() == null ? "-" : metadata.keyName(),
          time(metadata.createdAt()),
          time(metadata.rotatedAt()),
          age(metadata.secretSetAt(), now),
          attributes(metadata.attributes())}));
    }
    return table(rows);
  }

  private static String[] withFingerprint(Map<CredentialId, String> fingerprints, String cell,
      String[] row) {
    if (fingerprints == null) {
      return row;
    }
    String[] wider = new String[row.length + 1];
    System.arraycopy(row, 0, wider, 0, 3);
    wider[3] = cell;
    System.arraycopy(row, 3, wider, 4, row.length - 3);
    return wider;
  }

  /** Rows as columns separated by two spaces, each column as wide as its widest cell. */
  public static String table(List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(i + 1 < columns ? String.format("%-" + widths[i] + "s  ", row[i]) : row[i]);
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    return text.toString();
  }
}
