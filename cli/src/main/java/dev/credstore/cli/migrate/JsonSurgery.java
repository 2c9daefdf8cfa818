package dev.credstore.cli.migrate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.credstore.api.ConfigurationException;
import dev.credstore.spi.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The one surgical editor for JSON config files. Edits are byte splices located with Jackson's
 * streaming parser: remove a member ({@link PlaintextConfig}'s cut), replace a string value, insert
 * a member; every other byte (order, whitespace, escapes, a BOM) stays. {@link #result()} parses
 * the original and the result again and requires them to be the same, event by event, except
 * exactly where the edits were; a secret's text is never read into a String on the way.
 */
public final class JsonSurgery {

  private static final JsonFactory JSON = Json.factory();

  /** The secret-safe factory's parser, refusing a key that occurs twice. */
  private static JsonParser parser(byte[] json) throws IOException {
    JsonParser parser = JSON.createParser(json);
    parser.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    return parser;
  }

  /** One pass over a parse of the file; it may throw the file's own problems. */
  @FunctionalInterface
  private interface Walk<T> {
    T over(JsonParser parser) throws IOException, ConfigurationException;
  }

  // One parse of json, with Jackson's failures as one-line errors that quote nothing of the file.
  private static <T> T walk(byte[] json, Walk<T> walk) throws ConfigurationException {
    try (JsonParser parser = parser(json)) {
      return walk.over(parser);
    } catch (JsonProcessingException e) {
      throw invalid(e);
    } catch (IOException e) {
      throw new ConfigurationException("cannot be parsed as JSON: " + e.getClass().getSimpleName());
    }
  }

  private final byte[] original;
  private byte[] current;
  private final Set<String> removed = new LinkedHashSet<>();
  private final Set<String> replaced = new LinkedHashSet<>();
  private final Set<String> inserted = new LinkedHashSet<>();

  private JsonSurgery(byte[] original) {
    this.original = original;
    this.current = original;
  }

  /** Starts editing {@code json}, which the caller owns and must keep unchanged meanwhile. */
  public static JsonSurgery of(byte[] json) {
    return new JsonSurgery(Objects.requireNonNull(json));
  }

  /**
   * Pointers of every string value in {@code json} whose pointer {@code wanted} accepts, in
   * document order (values are not read).
   *
   * @throws ConfigurationException if {@code json} is not valid JSON
   */
  public static List<String> stringPointers(byte[] json, Predicate<List<String>> wanted)
      throws ConfigurationException {
    return walk(json, parser -> {
      List<String> found = new ArrayList<>();
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.VALUE_STRING && parser.getParsingContext().inObject()) {
          JsonPointer pointer = parser.getParsingContext().pathAsPointer();
          if (wanted.test(segments(pointer))) {
            found.add(pointer.toString());
          }
        }
      }
      return found;
    });
  }

  /** The member names of the object at {@code objectPointer} ("" for the top), in order. */
  public static List<String> memberNames(byte[] json, String objectPointer)
      throws ConfigurationException {
    return walk(json, parser -> {
      List<String> names = new ArrayList<>();
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.FIELD_NAME && parser.getParsingContext().getParent() != null
            && parser.getParsingContext().getParent().pathAsPointer().toString()
                .equals(objectPointer)) {
          names.add(parser.currentName());
        }
      }
      return names;
    });
  }

  /** The pointer's member names, unescaped. */
  public static List<String> segments(JsonPointer pointer) {
    List<String> names = new ArrayList<>();
    for (JsonPointer at = pointer; !at.matches(); at = at.tail()) {
      names.add(at.getMatchingProperty());
    }
    return names;
  }

  /** RFC 6901 pointer of {@code names}. */
  public static String pointer(String... names) {
    StringBuilder pointer = new StringBuilder();
    for (String name : names) {
      pointer.append('/').append(name.replace("~", "~0").replace("/", "~1"));
    }
    return pointer.toString();
  }

  /** Removes the string member at {@code pointer} (with the comma and space that went with it). */
  public JsonSurgery remove(String pointer) throws ConfigurationException {
    try (PlaintextConfig config = PlaintextConfig.parse(current, pointer, Map.of())) {
      if (config.token().isEmpty()) {
        throw new ConfigurationException("no value to remove at " + pointer);
      }
      current = config.scrubbed();
    }
    removed.add(pointer);
    return this;
  }

  /** Replaces the string value at {@code pointer} with {@code value} (a non-secret, e.g. ""). */
  public JsonSurgery replaceString(String pointer, String value) throws ConfigurationException {
    int[] range = stringRange(current, pointer);
    current = splice(current, range[0], range[1], quoted(value));
    replaced.add(pointer);
    return this;
  }

  /**
   * Inserts member {@code name} with string {@code value} as the first member of the object at
   * {@code objectPointer} ("" for the root), spaced like the member that follows it.
   */
  public JsonSurgery insertString(String objectPointer, String name, String value)
      throws ConfigurationException {
    return insertRaw(objectPointer, name, quoted(value));
  }

  /** As {@link #insertString}, with an object of string members as the value. */
  public JsonSurgery insertObject(String objectPointer, String name, Map<String, String> members)
      throws ConfigurationException {
    StringBuilder object = new StringBuilder("{");
    boolean first = true;
    for (Map.Entry<String, String> member : members.entrySet()) {
      object.append(first ? "" : ", ").append(quoted(member.getKey())).append(": ")
          .append(quoted(member.getValue()));
      first = false;
    }
    return insertRaw(objectPointer, name, object.append('}').toString());
  }

  private JsonSurgery insertRaw(String objectPointer, String name, String valueText)
      throws ConfigurationException {
    int[] object = objectRange(current, objectPointer);
    int open = object[0];
    int firstMember = object[1];
    int close = object[2];
    String member = quoted(name) + ": " + valueText;
    if (firstMember < 0) {
      current = splice(current, open + 1, close, member);
    } else {
      String space = new String(current, open + 1, firstMember - open - 1, StandardCharsets.UTF_8);
      current = splice(current, firstMember, firstMember, member + "," + space);
    }
    inserted.add(objectPointer + pointer(name));
    return this;
  }

  /**
   * The edited bytes, after proving that parsing them yields the original's events except at the
   * edits.
   *
   * @throws ConfigurationException if that proof fails (nothing is written then)
   */
  public byte[] result() throws ConfigurationException {
    List<String> before = events(original, removed, Set.of());
    List<String> after = events(current, Set.of(), inserted);
    if (!before.equals(after)) {
      throw new ConfigurationException("credstore's edit would change more than the secret ("
          + firstDifference(before, after) + "); the file is left as it is");
    }
    return current;
  }

  private List<String> events(byte[] json, Set<String> skipMembers, Set<String> skipInserted)
      throws ConfigurationException {
    return walk(json, parser -> {
      List<String> events = new ArrayList<>();
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        if (token == JsonToken.FIELD_NAME) {
          String at = parser.getParsingContext().pathAsPointer().toString();
          if (skipMembers.contains(at) || skipInserted.contains(at)) {
            parser.nextToken();
            parser.skipChildren(); // the value is never read as text
            continue;
          }
          events.add(at + " name");
          continue;
        }
        String at = parser.getParsingContext().pathAsPointer().toString();
        if (token.isScalarValue()) {
          events.add(at + " " + token + (replaced.contains(at) ? " (replaced)" : " " + parser.getText()));
        } else {
          events.add(at + " " + token);
        }
      }
      return events;
    });
  }

  private static String firstDifference(List<String> before, List<String> after) {
    for (int i = 0; i < Math.min(before.size(), after.size()); i++) {
      if (!before.get(i).equals(after.get(i))) {
        return "at " + before.get(i).replaceFirst(" .*", "");
      }
    }
    return "at the end";
  }

  /** [start, end) of the string token at {@code pointer}, quotes included. */
  private static int[] stringRange(byte[] json, String pointer) throws ConfigurationException {
    return walk(json, parser -> {
      if (!seek(parser, JsonToken.VALUE_STRING, pointer)) {
        throw new ConfigurationException("no string value at " + pointer);
      }
      int start = (int) parser.currentTokenLocation().getByteOffset();
      parser.finishToken();
      int end = (int) parser.currentLocation().getByteOffset();
      if (start < 0 || end <= start || json[start] != '"' || json[end - 1] != '"') {
        throw new ConfigurationException("credstore could not locate the value " + pointer
            + " precisely enough to replace it; the file is left as it is");
      }
      return new int[] {start, end};
    });
  }

  /** Offsets of the object's '{', its first member's name (or -1) and its '}'. */
  private static int[] objectRange(byte[] json, String pointer) throws ConfigurationException {
    return walk(json, parser -> {
      if (!seek(parser, JsonToken.START_OBJECT, pointer)) {
        throw new ConfigurationException("no object at " + (pointer.isEmpty() ? "the top" : pointer));
      }
      int open = (int) parser.currentTokenLocation().getByteOffset();
      JsonToken next = parser.nextToken();
      int first = next == JsonToken.FIELD_NAME
          ? (int) parser.currentTokenLocation().getByteOffset() : -1;
      if (next != JsonToken.END_OBJECT) {
        parser.nextToken();
        parser.skipChildren();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          parser.nextToken();
          parser.skipChildren();
        }
      }
      int close = (int) parser.currentTokenLocation().getByteOffset();
      if (json[open] != '{' || json[close] != '}' || (first >= 0 && json[first] != '"')) {
        throw new ConfigurationException("credstore could not locate the object " + pointer
            + " precisely enough to edit it; the file is left as it is");
      }
      return new int[] {open, first, close};
    });
  }

  /** Moves {@code parser} onto the first {@code kind} token at {@code pointer}; false if none. */
  private static boolean seek(JsonParser parser, JsonToken kind, String pointer)
      throws IOException {
    JsonToken token;
    while ((token = parser.nextToken()) != null) {
      if (token == kind && parser.getParsingContext().pathAsPointer().toString().equals(pointer)) {
        return true;
      }
    }
    return false;
  }

  private static byte[] splice(byte[] bytes, int from, int to, String replacement) {
    byte[] insert = replacement.getBytes(StandardCharsets.UTF_8);
    byte[] result = new byte[bytes.length - (to - from) + insert.length];
    System.arraycopy(bytes, 0, result, 0, from);
    System.arraycopy(insert, 0, result, from, insert.length);
    System.arraycopy(bytes, to, result, from + insert.length, bytes.length - to);
    return result;
  }

  private static String quoted(String text) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(text)) + "\"";
  }

  private static ConfigurationException invalid(JsonProcessingException e) {
    // No cause: Jackson's message quotes the offending text, which may be a secret.
    return new ConfigurationException("is not valid JSON (line " + e.getLocation().getLineNr()
        + ", column " + e.getLocation().getColumnNr() + ")");
  }
}
