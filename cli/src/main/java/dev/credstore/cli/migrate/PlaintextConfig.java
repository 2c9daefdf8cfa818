package dev.credstore.cli.migrate;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.Secret;
import dev.credstore.spi.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A tool's JSON config file that may hold a plaintext token at a JSON pointer (RFC 6901): the
 * token, the non-secret metadata beside it, and the file's bytes with the token's member cut out.
 *
 * <p>The cut is surgical, not a re-serialisation: the member is located with the streaming
 * parser's byte offsets and removed together with the comma and whitespace that separate it from a
 * neighbour, so that every other byte (key order, whitespace, number spelling, escapes, a BOM)
 * survives, and an object left empty becomes {@code {}}. Before handing the result out, both
 * documents are parsed again and must be the same token for token except for the removed member.
 *
 * <p>Owns the token; {@link #close()} zeroes it. Never shows the token in a message.
 */
public final class PlaintextConfig implements AutoCloseable {

  /** Larger than any tool's config file; refuse rather than read a disk image into memory. */
  public static final int MAX_SIZE = 4 * 1024 * 1024;

  // The secret-safe factory: no source excerpts in error locations, and no pooled buffers that
  // would keep the token's characters alive for the next parser.
  private static final JsonFactory JSON = Json.factory();

  private final Secret token;
  private final String noTokenReason;
  private final Map<String, String> metadata;
  private final List<String> skippedMetadata;
  private final byte[] scrubbed;

  private PlaintextConfig(Secret token, String noTokenReason, Map<String, String> metadata,
      List<String> skippedMetadata, byte[] scrubbed) {
    this.token = token;
    this.noTokenReason = noTokenReason;
    this.metadata = metadata;
    this.skippedMetadata = skippedMetadata;
    this.scrubbed = scrubbed;
  }

  /**
   * Checks that {@code pointer} is a JSON pointer that can name an object member.
   *
   * @throws IllegalArgumentException naming the pointer (exit 2)
   */
  public static JsonPointer pointer(String pointer) {
    JsonPointer compiled;
    try {
      compiled = JsonPointer.compile(pointer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + pointer + "' is not a JSON pointer (RFC 6901), "
          + "e.g. /collectors/cloud/token", e);
    }
    if (compiled.matches()) {
      throw new IllegalArgumentException("JSON pointer '" + pointer
          + "' names the whole document; name the member that holds the token, e.g. /token");
    }
    return compiled;
  }

  /**
   * Finds the token at {@code tokenPointer} and the metadata at {@code metadataPointers}
   * (attribute name to pointer) in {@code json}.
   *
   * @throws ConfigurationException if {@code json} is not one valid UTF-8 JSON document, or the
   *     value at the pointer is not a string (or null), or the key occurs twice
   */
  public static PlaintextConfig parse(byte[] json, String tokenPointer,
      Map<String, String> metadataPointers) throws ConfigurationException {
    String target = pointer(tokenPointer).toString();
    Map<String, String> attributeAt = new LinkedHashMap<>();
    metadataPointers.forEach((attribute, at) -> attributeAt.put(pointer(at).toString(), attribute));
    if (json.length >= 2 && (json[0] == 0 || json[1] == 0)) {
      // UTF-16 and UTF-32 JSON: the byte surgery below assumes one byte per ASCII character.
      throw new ConfigurationException("is not UTF-8 JSON");
    }

    Map<String, String> metadata = new TreeMap<>();
    List<String> skipped = new ArrayList<>();
    Secret token = null;
    String noTokenReason = null;
    long lastNameStart = -1;
    int nameStart = -1;
    int nextStart = -1;
    boolean wantNext = false;
    boolean nextIsMember = false;
    int matches = 0;
    int roots = 0;
    try (JsonParser parser = JSON.createParser(json)) {
      JsonToken current;
      while ((current = parser.nextToken()) != null) {
        long offset = parser.currentTokenLocation().getByteOffset();
        if (wantNext) {
          nextStart = (int) offset;
          nextIsMember = current == JsonToken.FIELD_NAME;
          wantNext = false;
        }
        if (current != JsonToken.FIELD_NAME && !current.isStructEnd()
            && (current.isStructStart() ? parser.getParsingContext().getParent()
                : parser.getParsingContext()).inRoot()
            && ++roots > 1) {
          throw new ConfigurationException("is not valid JSON (more than one document)");
        }
        if (current == JsonToken.FIELD_NAME) {
          lastNameStart = offset;
          continue;
        }
        if (current == JsonToken.END_OBJECT || current == JsonToken.END_ARRAY) {
          continue;
        }
        String at = parser.getParsingContext().pathAsPointer().toString();
        if (at.equals(target)) {
          JsonStreamContext container = current.isStructStart()
              ? parser.getParsingContext().getParent() : parser.getParsingContext();
          if (!container.inObject()) {
            throw new ConfigurationException("the JSON pointer " + tokenPointer
                + " names an array element; migrate needs an object member it can remove");
          }
          if (++matches > 1) {
            throw new ConfigurationException("has the key " + tokenPointer
                + " more than once; fix the file by hand");
          }
          if (current == JsonToken.VALUE_NULL) {
            noTokenReason = "the value at " + tokenPointer + " is null";
          } else if (current != JsonToken.VALUE_STRING) {
            throw new ConfigurationException("the value at " + tokenPointer
                + " is not a string but " + describe(current) + "; not a token credstore can move");
          } else {
            token = readToken(parser, tokenPointer);
            if (token.isBlank()) {
              token.close();
              token = null;
              noTokenReason = "the token at " + tokenPointer + " is empty";
            } else {
              nameStart = (int) lastNameStart;
              wantNext = true;
            }
          }
          continue;
        }
        String attribute = attributeAt.get(at);
        if (attribute != null && current.isScalarValue() && current != JsonToken.VALUE_NULL) {
          String value = parser.getText();
          if (usableAttribute(value)) {
            metadata.put(attribute, value);
          } else {
            skipped.add(attribute);
          }
        }
      }
    } catch (JsonProcessingException e) {
      closeQuietly(token);
      // No cause: Jackson's message quotes the offending text, which may be the token itself.
      throw new ConfigurationException("is not valid JSON (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")");
    } catch (IOException | RuntimeException e) {
      closeQuietly(token);
      if (e instanceof IllegalArgumentException) {
        throw new ConfigurationException("has a token credstore cannot hold: " + e.getMessage(), e);
      }
      throw new ConfigurationException("cannot be parsed as JSON: " + e.getClass().getSimpleName(),
          e);
    } catch (ConfigurationException e) {
      closeQuietly(token);
      throw e;
    }
    if (token == null) {
      return new PlaintextConfig(null,
          noTokenReason != null ? noTokenReason : "no token at " + tokenPointer, metadata,
          List.copyOf(skipped), null);
    }
    try {
      byte[] scrubbed = cut(json, nameStart, nextStart, nextIsMember, tokenPointer);
      checkOnlyMemberRemoved(json, scrubbed, target);
      return new PlaintextConfig(token, null, metadata, List.copyOf(skipped), scrubbed);
    } catch (ConfigurationException | RuntimeException e) {
      token.close();
      throw e;
    }
  }

  /** The token, owned by this object; empty if the file holds none. */
  public Optional<Secret> token() {
    return Optional.ofNullable(token);
  }

  /** Why there is no token, e.g. "no token at /collectors/cloud/token"; null if there is one. */
  String noTokenReason() {
    return noTokenReason;
  }

  /** Attribute name to value, sorted, for the metadata pointers that named a usable scalar. */
  Map<String, String> metadata() {
    return metadata;
  }

  /** Attributes whose value was too long or not printable, and so were not carried. */
  List<String> skippedMetadata() {
    return skippedMetadata;
  }

  /** The file's bytes without the token's member; only when there is a token. */
  byte[] scrubbed() {
    if (scrubbed == null) {
      throw new IllegalStateException("no token, nothing to scrub");
    }
    return scrubbed;
  }

  /** Zeroes the token. */
  @Override
  public void close() {
    closeQuietly(token);
  }

  @Override
  public String toString() {
    return "PlaintextConfig[" + (token != null ? "token redacted" : noTokenReason) + "]";
  }

  private static Secret readToken(JsonParser parser, String tokenPointer) throws IOException {
    // Straight from the parser's buffer into a char[] we can zero: no String holds the token.
    char[] buffer = parser.getTextCharacters();
    char[] copy = Arrays.copyOfRange(buffer, parser.getTextOffset(),
        parser.getTextOffset() + parser.getTextLength());
    try {
      return Secret.of(copy);
    } finally {
      Arrays.fill(copy, '\0');
    }
  }

  /**
   * Removes the member whose name starts at {@code nameStart} and whose following token (next
   * member's name, or the closing brace) starts at {@code nextStart}:
   * <ul>
   *   <li>after another member: from that member's comma to the end of the token's value;
   *   <li>first of several: from its name to the next member's name;
   *   <li>the only member: everything between the braces, leaving {@code {}}.
   * </ul>
   */
  private static byte[] cut(byte[] json, int nameStart, int nextStart, boolean nextIsMember,
      String tokenPointer) throws ConfigurationException {
    if (nameStart < 0 || nextStart <= nameStart || json[nameStart] != '"'
        || (json[nextStart] != (nextIsMember ? '"' : '}'))) {
      throw cannotLocate(tokenPointer);
    }
    int end = skipWhitespaceBackward(json, nextStart - 1);
    boolean commaAfter = json[end] == ',';
    if (commaAfter != nextIsMember) {
      throw cannotLocate(tokenPointer);
    }
    if (commaAfter) {
      end = skipWhitespaceBackward(json, end - 1);
    }
    if (json[end] != '"') {
      throw cannotLocate(tokenPointer);
    }
    int valueEnd = end + 1;
    int before = skipWhitespaceBackward(json, nameStart - 1);
    int from;
    int to;
    if (json[before] == ',') {
      from = before;
      to = valueEnd;
    } else if (json[before] == '{') {
      from = commaAfter ? nameStart : before + 1;
      to = nextStart;
    } else {
      throw cannotLocate(tokenPointer);
    }
    byte[] result = new byte[json.length - (to - from)];
    System.arraycopy(json, 0, result, 0, from);
    System.arraycopy(json, to, result, from, json.length - to);
    return result;
  }

  private static int skipWhitespaceBackward(byte[] json, int index) {
    int i = index;
    while (i >= 0 && (json[i] == ' ' || json[i] == '\t' || json[i] == '\n' || json[i] == '\r')) {
      i--;
    }
    return Math.max(i, 0);
  }

  private static ConfigurationException cannotLocate(String tokenPointer) {
    return new ConfigurationException("credstore could not locate the member " + tokenPointer
        + " precisely enough to remove it; the file is left as it is");
  }

  /** Both documents, token by token, must be equal except for the removed member. */
  private static void checkOnlyMemberRemoved(byte[] original, byte[] scrubbed, String target)
      throws ConfigurationException {
    try (JsonParser before = JSON.createParser(original);
        JsonParser after = JSON.createParser(scrubbed)) {
      while (true) {
        JsonToken left = before.nextToken();
        if (left == JsonToken.FIELD_NAME
            && before.getParsingContext().pathAsPointer().toString().equals(target)) {
          before.nextToken(); // the token's value, never read as text
          continue;
        }
        JsonToken right = after.nextToken();
        if (left != right) {
          throw new IllegalStateException("scrubbed config differs from the original in "
              + "structure at " + after.getParsingContext().pathAsPointer());
        }
        if (left == null) {
          return;
        }
        if ((left == JsonToken.FIELD_NAME || left.isScalarValue())
            && !before.getText().equals(after.getText())) {
          throw new IllegalStateException("scrubbed config differs from the original at "
              + after.getParsingContext().pathAsPointer());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("scrubbed config no longer parses", e);
    }
  }

  private static boolean usableAttribute(String value) {
    if (value.isEmpty() || value.length() > CredentialMetadata.MAX_ATTRIBUTE_VALUE_LENGTH) {
      return false;
    }
    return value.chars().noneMatch(Character::isISOControl);
  }

  private static String describe(JsonToken token) {
    switch (token) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      default:
        return token.toString();
    }
  }

  private static void closeQuietly(Secret secret) {
    if (secret != null) {
      secret.close();
    }
  }
}
