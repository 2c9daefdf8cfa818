package dev.credstore.pass;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.spi.Names;
import dev.credstore.spi.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The plaintext of a pass entry, as pass tools expect it: the secret on the first line, then
 * {@code key: value} lines. Attributes are plain {@code name: value} lines; credstore's own fields
 * are {@code credstore-*} lines after them (see the module README). Lines credstore does not
 * understand (free text someone added with {@code pass edit}) are kept, in order, when it rewrites
 * the entry.
 */
final class EntryFormat {

  static final String OWN_PREFIX = "credstore-";
  private static final String KIND = "credstore-kind";
  private static final String KEY_NAME = "credstore-key-name";
  private static final String CREATED = "credstore-created";
  private static final String UPDATED = "credstore-updated";
  private static final String ROTATED = "credstore-rotated";
  private static final String PREVIOUS = "credstore-previous-secret";
  // Matched on bytes, so that the previous secret never becomes a String.
  private static final byte[] PREVIOUS_PREFIX =
      (PREVIOUS + ":").getBytes(StandardCharsets.US_ASCII);

  private EntryFormat() {}

  /** A decoded entry: the credential, and the lines credstore did not write, to keep. */
  static final class Entry implements AutoCloseable {
    final Credential credential;
    final List<String> foreignLines;

    Entry(Credential credential, List<String> foreignLines) {
      this.credential = credential;
      this.foreignLines = List.copyOf(foreignLines);
    }

    @Override
    public void close() {
      credential.close();
    }
  }

  /**
   * The entry's plaintext; the caller zeroes it.
   *
   * @throws StorageException if the credential cannot be written as a pass entry
   */
  static byte[] encode(Credential credential, List<String> foreignLines) throws StorageException {
    CredentialMetadata metadata = credential.metadata();
    for (String name : metadata.attributes().keySet()) {
      if (name.startsWith(OWN_PREFIX)) {
        throw new StorageException("attribute '" + name + "' cannot be stored in pass: names"
            + " starting with '" + OWN_PREFIX + "' are the pass backend's own fields");
      }
    }
    SecretBytes out = new SecretBytes();
    try {
      appendSecret(out, credential.secret(), "secret");
      StringBuilder lines = new StringBuilder();
      metadata.attributes().forEach((k, v) -> lines.append(k).append(": ").append(v).append('\n'));
      foreignLines.forEach(line -> lines.append(line).append('\n'));
      field(lines, KIND, metadata.kind() == CredentialKind.API_KEY ? "api-key" : "token");
      metadata.optionalKeyName().ifPresent(name -> field(lines, KEY_NAME, name));
      field(lines, CREATED, metadata.createdAt().toString());
      field(lines, UPDATED, metadata.updatedAt().toString());
      metadata.optionalRotatedAt().ifPresent(time -> field(lines, ROTATED, time.toString()));
      out.write(lines.toString().getBytes(StandardCharsets.UTF_8));
      if (credential.previousSecret().isPresent()) {
        out.write(PREVIOUS_PREFIX);
        out.write(new byte[] {' '});
        appendSecret(out, credential.previousSecret().get(), "previous secret");
      }
      return out.toByteArray();
    } finally {
      out.zero();
    }
  }

  private static void field(StringBuilder lines, String name, String value) {
    lines.append(name).append(": ").append(value).append('\n');
  }

  private static void appendSecret(SecretBytes out, Secret secret, String what)
      throws StorageException {
    byte[] utf8 = secret.revealUtf8();
    try {
      for (byte b : utf8) {
        if (b == '\n' || b == '\r') {
          throw new StorageException("the " + what + " contains a line break, which a pass entry"
              + " cannot hold (its first line is the secret)");
        }
      }
      out.write(utf8);
      out.write(new byte[] {'\n'});
    } finally {
      Arrays.fill(utf8, (byte) 0);
    }
  }

  /**
   * Decodes an entry's plaintext (which the caller still owns and zeroes). Missing credstore fields
   * get defaults, so that an entry made with {@code pass insert} reads as a token set at {@code
   * modified}.
   *
   * @throws IntegrityException if the entry has no secret or a credstore field is malformed
   */
  static Entry decode(CredentialId id, byte[] plaintext, Instant modified)
      throws IntegrityException {
    List<int[]> lines = lines(plaintext);
    int[] first = lines.isEmpty() ? new int[] {0, 0} : lines.get(0);
    if (first[1] == first[0]) {
      throw new IntegrityException("pass entry " + EntryNames.entryName(id)
          + " has no secret on its first line");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    Map<String, String> own = new LinkedHashMap<>();
    List<String> foreign = new ArrayList<>();
    int[] previous = null;
    for (int[] line : lines.subList(1, lines.size())) {
      if (startsWith(plaintext, line, PREVIOUS_PREFIX)) {
        int start = line[0] + PREVIOUS_PREFIX.length;
        previous = new int[] {start < line[1] && plaintext[start] == ' ' ? start + 1 : start,
            line[1]};
        continue;
      }
      String text = new String(plaintext, line[0], line[1] - line[0], StandardCharsets.UTF_8);
      int colon = text.indexOf(':');
      String key = colon > 0 ? text.substring(0, colon) : null;
      String value = colon > 0 ? text.substring(colon + 1) : null;
      if (value != null && value.startsWith(" ")) {
        value = value.substring(1);
      }
      if (key != null && key.startsWith(OWN_PREFIX)) {
        own.put(key, value);
      } else if (key != null && Names.isAttributeName(key) && !attributes.containsKey(key)
          && attributes.size() < CredentialMetadata.MAX_ATTRIBUTES
          && value.length() <= CredentialMetadata.MAX_ATTRIBUTE_VALUE_LENGTH
          && printable(value)) {
        attributes.put(key, value);
      } else if (!text.isEmpty()) {
        foreign.add(text);
      }
    }
    Secret secret = secret(plaintext, first);
    Secret previousSecret = null;
    try {
      previousSecret = previous == null || previous[0] == previous[1] ? null
          : secret(plaintext, previous);
      Credential.Builder builder = Credential.builder(id);
      String kind = own.getOrDefault(KIND, "token");
      if (kind.equals("api-key")) {
        String keyName = own.get(KEY_NAME);
        if (keyName == null) {
          throw malformed(id, KEY_NAME, "missing for an API key");
        }
        builder.apiKey(keyName, secret);
      } else if (kind.equals("token")) {
        builder.token(secret);
      } else {
        throw malformed(id, KIND, "'" + kind + "' is neither token nor api-key");
      }
      Instant created = instant(id, own, CREATED, modified);
      Credential credential = builder.attributes(attributes)
          .previousSecret(previousSecret)
          .createdAt(created)
          .updatedAt(instant(id, own, UPDATED, created.isAfter(modified) ? created : modified))
          .rotatedAt(instant(id, own, ROTATED, null))
          .build();
      return new Entry(credential, foreign);
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("pass entry " + EntryNames.entryName(id)
          + " holds an invalid value: " + e.getMessage(), e);
    } finally {
      secret.close();
      if (previousSecret != null) {
        previousSecret.close();
      }
    }
  }

  private static Instant instant(CredentialId id, Map<String, String> own, String field,
      Instant fallback) throws IntegrityException {
    String text = own.get(field);
    if (text == null) {
      return fallback;
    }
    try {
      return Timestamps.parse(text.strip());
    } catch (DateTimeException e) {
      throw malformed(id, field, "'" + text + "' is not a time");
    }
  }

  private static IntegrityException malformed(CredentialId id, String field, String why) {
    return new IntegrityException("pass entry " + EntryNames.entryName(id) + ": " + field + " "
        + why);
  }

  private static Secret secret(byte[] plaintext, int[] line) throws IntegrityException {
    byte[] bytes = Arrays.copyOfRange(plaintext, line[0], line[1]);
    try {
      return Secret.fromUtf8(bytes);
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("a secret in a pass entry is not valid UTF-8 or too long");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  private static boolean printable(String value) {
    try {
      Names.checkPrintable("value", value);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  // Line bounds {start, end} without the '\n' (and a '\r' before it); no copy of the bytes.
  private static List<int[]> lines(byte[] text) {
    List<int[]> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= text.length; i++) {
      if (i == text.length || text[i] == '\n') {
        if (i == text.length && start == i) {
          break;
        }
        int end = i > start && text[i - 1] == '\r' ? i - 1 : i;
        lines.add(new int[] {start, end});
        start = i + 1;
      }
    }
    return lines;
  }

  private static boolean startsWith(byte[] text, int[] line, byte[] prefix) {
    if (line[1] - line[0] < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (text[line[0] + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** A growable byte buffer that zeroes every array it lets go of. */
  private static final class SecretBytes {
    private byte[] buffer = new byte[256];
    private int length;

    void write(byte[] bytes) {
      if (length + bytes.length > buffer.length) {
        byte[] bigger = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + bytes.length));
        Arrays.fill(buffer, (byte) 0);
        buffer = bigger;
      }
      System.arraycopy(bytes, 0, buffer, length, bytes.length);
      length += bytes.length;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buffer, length);
    }

    void zero() {
      Arrays.fill(buffer, (byte) 0);
    }
  }
}
