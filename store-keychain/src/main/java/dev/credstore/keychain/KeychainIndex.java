package dev.credstore.keychain;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import dev.credstore.spi.Timestamps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * credstore's non-secret metadata for keychain items, in {@code keychain-index.json}: kind, key
 * name, attributes, times, and whether a previous secret is kept. java-keyring cannot enumerate a
 * keychain, so this index is what {@code list} reads. It never holds a secret.
 *
 * <p>Writers hold {@link #locked} (a JVM lock plus {@link FileChannel#lock} on a lock file, so other
 * processes wait too) and replace the file atomically: temp file in the same directory, fsync,
 * rename, fsync the directory. Readers need no lock: they see the old or the new file.
 */
final class KeychainIndex {

  static final String FILE_NAME = "keychain-index.json";
  private static final int FORMAT = 1;
  // Only writes (login, logout) use the ObjectMapper: creating one costs a fresh JVM 50-300 ms,
  // which a get, reading the index with the streaming parser alone, does not pay.
  private static final JsonFactory STREAMING = new JsonFactory();
  private static final boolean POSIX =
      java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private final Path directory;
  private final Path file;
  private final WriteLock lock;

  KeychainIndex(Path directory, Duration lockTimeout) {
    this.directory = directory;
    this.file = directory.resolve(FILE_NAME);
    this.lock = new WriteLock(directory.resolve(FILE_NAME + ".lock"), lockTimeout);
  }

  Path file() {
    return file;
  }

  /**
   * Runs {@code action} holding the write lock ({@code keychain-index.json.lock}), waiting at most
   * the lock timeout for other threads and processes.
   */
  <T> T locked(WriteLock.LockedAction<T> action) throws CredentialStoreException {
    return lock.locked(action);
  }

  /** Every entry, sorted by id; empty when there is no index yet. */
  TreeMap<CredentialId, CredentialMetadata> read() throws CredentialStoreException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    } catch (IOException e) {
      throw new StorageException("cannot read the keychain index " + file, e);
    }
    try {
      JsonNode root = readTree(bytes);
      if (root == null || root.path("format").asInt(-1) != FORMAT) {
        throw new IntegrityException("the keychain index " + file + " has an unknown format");
      }
      TreeMap<CredentialId, CredentialMetadata> entries = new TreeMap<>();
      for (JsonNode node : root.path("credentials")) {
        CredentialMetadata metadata = fromJson(node);
        entries.put(metadata.id(), metadata);
      }
      return entries;
    } catch (IOException | IllegalArgumentException | NullPointerException e) {
      // Not Jackson's message: it quotes parser internals (and would quote the file's bytes).
      throw new IntegrityException("the keychain index " + file + " is damaged (it holds no"
          + " secrets; move it aside to rebuild it from new writes)", e);
    }
  }

  /** Replaces the index atomically with {@code entries}. Call only inside {@link #locked}. */
  void write(Map<CredentialId, CredentialMetadata> entries) throws CredentialStoreException {
    ObjectMapper json = new ObjectMapper();
    ObjectNode root = json.createObjectNode();
    root.put("format", FORMAT);
    ArrayNode credentials = root.putArray("credentials");
    new TreeMap<>(entries).values().forEach(m -> credentials.add(toJson(m)));
    Path temp = null;
    try {
      byte[] bytes = json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
      WriteLock.ensureDirectory(directory);
      temp = POSIX
          ? Files.createTempFile(directory, ".keychain-index", ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
          : Files.createTempFile(directory, ".keychain-index", ".tmp");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      temp = null;
      syncDirectory();
    } catch (JsonProcessingException e) {
      throw new StorageException("cannot encode the keychain index", e);
    } catch (IOException e) {
      throw new StorageException("cannot write the keychain index " + file, e);
    } finally {
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException e) {
          // A stray temp file holds no secret; the next write ignores it.
        }
      }
    }
  }

  private void syncDirectory() {
    // Makes the rename durable; not possible on Windows, where the move is durable enough.
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Best effort only.
    }
  }

  private static ObjectNode toJson(CredentialMetadata m) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("service", m.id().service());
    node.put("account", m.id().account());
    node.put("kind", m.kind().name());
    if (m.keyName() != null) {
      node.put("keyName", m.keyName());
    }
    ObjectNode attributes = node.putObject("attributes");
    m.attributes().forEach(attributes::put);
    node.put("createdAt", m.createdAt().toString());
    node.put("updatedAt", m.updatedAt().toString());
    if (m.rotatedAt() != null) {
      node.put("rotatedAt", m.rotatedAt().toString());
    }
    node.put("hasPreviousSecret", m.hasPreviousSecret());
    return node;
  }

  /** The index as a tree: objects, arrays, strings, numbers, booleans and null are all it holds. */
  private static JsonNode readTree(byte[] bytes) throws IOException {
    try (JsonParser parser = STREAMING.createParser(bytes)) {
      return parser.nextToken() == null ? null : treeValue(parser);
    }
  }

  private static JsonNode treeValue(JsonParser parser) throws IOException {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = nodes.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.set(name, treeValue(parser));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = nodes.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(treeValue(parser));
        }
        return array;
      }
      case VALUE_STRING -> {
        return nodes.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
        return nodes.numberNode(parser.getDecimalValue());
      }
      case VALUE_TRUE, VALUE_FALSE -> {
        return nodes.booleanNode(token == JsonToken.VALUE_TRUE);
      }
      case VALUE_NULL -> {
        return nodes.nullNode();
      }
      default -> throw new IOException("unexpected JSON token " + token);
    }
  }

  private static CredentialMetadata fromJson(JsonNode node) {
    Map<String, String> attributes = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.path("attributes").fields();
        it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      attributes.put(entry.getKey(), entry.getValue().textValue());
    }
    JsonNode keyName = node.get("keyName");
    JsonNode rotatedAt = node.get("rotatedAt");
    return new CredentialMetadata(
        new CredentialId(node.path("service").textValue(), node.path("account").textValue()),
        CredentialKind.valueOf(node.path("kind").asText()),
        keyName == null || keyName.isNull() ? null : keyName.textValue(),
        attributes,
        Timestamps.parse(node.path("createdAt").asText()),
        Timestamps.parse(node.path("updatedAt").asText()),
        rotatedAt == null || rotatedAt.isNull() ? null : Timestamps.parse(rotatedAt.asText()),
        node.path("hasPreviousSecret").asBoolean(false));
  }
}
