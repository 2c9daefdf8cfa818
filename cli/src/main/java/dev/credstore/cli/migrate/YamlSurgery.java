package dev.credstore.cli.migrate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.Secret;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * The one surgical editor for YAML config files (gh's {@code hosts.yml}, Platform.sh's {@code
 * config.yaml}). SnakeYAML composes the document with positions; a key whose value is a scalar on
 * its own line is removed as that whole line, and nothing else changes. {@link #result()} re-reads
 * original and result with Jackson's YAML module (itself SnakeYAML underneath) and requires the
 * result to be the original minus exactly those keys (a mapping left empty reads as null, which is
 * also how gh writes a user whose token is elsewhere).
 *
 * <p>YAML parsers hand scalars out as Strings, so a secret read here exists as one briefly; it is
 * copied into a {@link Secret} at once and the document dropped.
 */
public final class YamlSurgery {

  // A factory, not a mapper: no ObjectMapper in main code (spi.JsonTrees says why).
  private static final YAMLFactory YAML = new YAMLFactory();

  private final byte[] original;
  private final int bomLength;
  private final Node root;
  private final List<List<String>> removed = new ArrayList<>();
  private final List<int[]> cuts = new ArrayList<>();

  private YamlSurgery(byte[] original, int bomLength, Node root) {
    this.original = original;
    this.bomLength = bomLength;
    this.root = root;
  }

  /**
   * Parses {@code yaml} (UTF-8, optionally with a BOM), which the caller owns.
   *
   * @throws ConfigurationException if it is not one YAML document credstore can edit precisely
   */
  public static YamlSurgery of(byte[] yaml) throws ConfigurationException {
    int bom = yaml.length >= 3 && (yaml[0] & 0xff) == 0xef && (yaml[1] & 0xff) == 0xbb
        && (yaml[2] & 0xff) == 0xbf ? 3 : 0;
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(yaml, bom, yaml.length - bom)).toString();
    } catch (CharacterCodingException e) {
      throw new ConfigurationException("is not UTF-8 YAML");
    }
    // SnakeYAML counts these as line breaks too; byte lines would then no longer match its lines.
    if (text.chars().anyMatch(c -> c == '\u0085' || c == '\u2028' || c == '\u2029')
        || text.replace("\r\n", "").indexOf('\r') >= 0) {
      throw new ConfigurationException("has line breaks credstore cannot edit precisely; the "
          + "file is left as it is");
    }
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(0);
    Node root;
    try {
      root = new Yaml(options).compose(new StringReader(text));
    } catch (YAMLException e) {
      // No cause: SnakeYAML's message may quote the offending text, which may be a secret.
      throw new ConfigurationException("is not valid YAML" + position(e));
    }
    return new YamlSurgery(yaml, bom, root);
  }

  /** The keys of the mapping at {@code path} (empty path: the top), in order; empty if none. */
  public List<String> keys(String... path) {
    List<String> keys = new ArrayList<>();
    node(path).filter(MappingNode.class::isInstance).ifPresent(node -> {
      for (NodeTuple tuple : ((MappingNode) node).getValue()) {
        if (tuple.getKeyNode() instanceof ScalarNode key) {
          keys.add(key.getValue());
        }
      }
    });
    return keys;
  }

  /** The scalar at {@code path} as text, for non-secret values; empty if absent or not scalar. */
  public Optional<String> text(String... path) {
    return node(path).filter(ScalarNode.class::isInstance).map(n -> ((ScalarNode) n).getValue());
  }

  /** The scalar at {@code path} as a secret; empty if absent, null-valued, empty or not scalar. */
  public Optional<Secret> secret(String... path) {
    return node(path).filter(ScalarNode.class::isInstance).map(n -> ((ScalarNode) n).getValue())
        .filter(v -> !v.isBlank() && !v.equals("~") && !v.equals("null")).map(Secret::of);
  }

  /**
   * Marks the key at {@code path} for removal, as its whole line.
   *
   * @throws ConfigurationException if its value is not a single-line scalar on the key's own line
   */
  public YamlSurgery remove(String... path) throws ConfigurationException {
    NodeTuple tuple = tupleOf(path);
    Node key = tuple.getKeyNode();
    Node value = tuple.getValueNode();
    int line = key.getStartMark().getLine();
    if (!(value instanceof ScalarNode) || value.getEndMark().getLine() != line
        || value.getStartMark().getLine() != line) {
      throw cannotCut(path);
    }
    int[] range = lineRange(line);
    String before = new String(original, range[0], key.getStartMark().getColumn(),
        StandardCharsets.UTF_8);
    if (!before.isBlank() || before.contains("\t")) {
      throw cannotCut(path);
    }
    cuts.add(range);
    removed.add(List.of(path));
    return this;
  }

  /**
   * As {@link #remove}, and if that leaves its mapping empty, also the mapping's own key line (for
   * tools that merge their file over defaults, where {@code api:} with no value is not "no
   * settings").
   */
  public YamlSurgery removeWithEmptyParent(String... path) throws ConfigurationException {
    remove(path);
    if (path.length >= 2 && keys(java.util.Arrays.copyOf(path, path.length - 1)).size() == 1) {
      String[] parent = java.util.Arrays.copyOf(path, path.length - 1);
      Node key = tupleOf(parent).getKeyNode();
      int[] range = lineRange(key.getStartMark().getLine());
      Node value = tupleOf(parent).getValueNode();
      if (value.getStartMark().getLine() == key.getStartMark().getLine()) {
        throw cannotCut(parent); // a flow mapping on one line: not ours to split
      }
      cuts.add(range);
      removed.remove(removed.size() - 1);
      removed.add(List.of(parent));
    }
    return this;
  }

  private NodeTuple tupleOf(String... path) throws ConfigurationException {
    String[] parent = java.util.Arrays.copyOf(path, path.length - 1);
    return node(parent).filter(MappingNode.class::isInstance)
        .flatMap(n -> ((MappingNode) n).getValue().stream()
            .filter(t -> t.getKeyNode() instanceof ScalarNode k
                && k.getValue().equals(path[path.length - 1]))
            .findFirst())
        .orElseThrow(() -> new ConfigurationException("no key " + String.join(".", path)));
  }

  /**
   * The bytes without the removed lines, after proving they read as the original minus those keys:
   * both are parsed again by Jackson's YAML parser and must give the same events, except the
   * removed keys (a mapping they leave empty reads as null, as gh writes a user without a token).
   */
  public byte[] result() throws ConfigurationException {
    cuts.sort((a, b) -> Integer.compare(b[0], a[0]));
    byte[] result = original;
    for (int[] cut : cuts) {
      byte[] next = new byte[result.length - (cut[1] - cut[0])];
      System.arraycopy(result, 0, next, 0, cut[0]);
      System.arraycopy(result, cut[1], next, cut[0], result.length - cut[1]);
      result = next;
    }
    Set<String> skipped = new HashSet<>();
    for (List<String> path : removed) {
      skipped.add(JsonSurgery.pointer(path.toArray(String[]::new)));
    }
    try {
      if (!events(original, skipped).equals(events(result, Set.of()))) {
        throw new ConfigurationException("credstore's edit would change more than the secret; "
            + "the file is left as it is");
      }
    } catch (IOException e) {
      throw new ConfigurationException("credstore's edit would leave YAML that does not parse; "
          + "the file is left as it is");
    }
    return result;
  }

  /** The document's events, keys at {@code skipped} pointers left out with their values. */
  private static List<String> events(byte[] yaml, Set<String> skipped) throws IOException {
    List<String> events = new ArrayList<>();
    try (JsonParser parser = YAML.createParser(yaml)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        String at = parser.getParsingContext().pathAsPointer().toString();
        if (token == JsonToken.FIELD_NAME && skipped.contains(at)) {
          parser.nextToken();
          parser.skipChildren(); // a removed value is never read as text
          continue;
        }
        // null, ~ and an empty value mean the same; other scalars keep their text.
        events.add(at + " " + token + (token.isScalarValue() && token != JsonToken.VALUE_NULL
            ? " " + parser.getText() : ""));
      }
    }
    // A mapping emptied by the cut reads as null afterwards; the empty document as none.
    List<String> normal = new ArrayList<>();
    for (String event : events) {
      int last = normal.size() - 1;
      if (event.endsWith(" END_OBJECT") && last >= 0 && normal.get(last).endsWith(" START_OBJECT")
          && normal.get(last).equals(event.replace(" END_OBJECT", " START_OBJECT"))) {
        normal.set(last, event.replace(" END_OBJECT", " VALUE_NULL"));
      } else {
        normal.add(event);
      }
    }
    if (normal.size() == 1 && normal.get(0).equals(" VALUE_NULL")) {
      normal.clear();
    }
    return normal;
  }

  private Optional<Node> node(String... path) {
    Node at = root;
    for (String name : path) {
      if (!(at instanceof MappingNode mapping)) {
        return Optional.empty();
      }
      at = mapping.getValue().stream()
          .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(name))
          .map(NodeTuple::getValueNode).findFirst().orElse(null);
    }
    return Optional.ofNullable(at);
  }

  /** Byte [start, end) of 0-based {@code line}, its line break included. */
  private int[] lineRange(int line) throws ConfigurationException {
    int start = bomLength;
    for (int i = 0; i < line; i++) {
      while (start < original.length && original[start] != '\n') {
        start++;
      }
      if (start >= original.length) {
        throw new ConfigurationException("credstore lost its place in the file; it is left as it is");
      }
      start++;
    }
    int end = start;
    while (end < original.length && original[end] != '\n') {
      end++;
    }
    return new int[] {start, Math.min(end + 1, original.length)};
  }

  private static ConfigurationException cannotCut(String... path) {
    return new ConfigurationException("credstore could not locate " + String.join(".", path)
        + " precisely enough to remove it (it needs to be one 'key: value' line); the file is "
        + "left as it is");
  }

  private static String position(YAMLException e) {
    if (e instanceof org.yaml.snakeyaml.error.MarkedYAMLException marked
        && marked.getProblemMark() != null) {
      return " (line " + (marked.getProblemMark().getLine() + 1) + ")";
    }
    return "";
  }
}
