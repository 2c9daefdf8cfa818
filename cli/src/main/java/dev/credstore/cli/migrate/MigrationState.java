package dev.credstore.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credstore.api.CredentialId;
import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * credstore's own record of the config files {@code migrate} has handled, in {@code
 * $XDG_STATE_HOME/credstore/migrations.json} (default {@code ~/.local/state/…}), mode 0600 in a
 * 0700 directory. It holds no secret: path, pointer, credential id, time, whether the plaintext
 * was kept, and the SHA-256 of the config file <em>after</em> the token was removed (none when the
 * plaintext was kept, since a hash of a file holding a token is a guessing oracle for it).
 */
public final class MigrationState {

  static final int VERSION = 1;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** One migrated file. {@code scrubbedSha256} is null when the plaintext was kept. */
  record Entry(Path path, String pointer, CredentialId id, Instant migratedAt,
      boolean plaintextKept, String scrubbedSha256) {}

  private final Path file;
  private final List<Entry> entries;

  private MigrationState(Path file, List<Entry> entries) {
    this.file = file;
    this.entries = entries;
  }

  /** {@code $XDG_STATE_HOME/credstore/migrations.json}, or under {@code ~/.local/state}. */
  public static Path defaultFile(Map<String, String> environment, Path home) {
    String state = environment.get("XDG_STATE_HOME");
    Path base = state != null && !state.isEmpty() && Path.of(state).isAbsolute()
        ? Path.of(state) : home.resolve(".local/state");
    return base.resolve("credstore").resolve("migrations.json");
  }

  /**
   * Reads the record; an absent file is an empty record.
   *
   * @throws StorageException if it cannot be read or is not a record credstore wrote
   */
  public static MigrationState load(Path file) throws StorageException {
    JsonNode root;
    try {
      if (Files.isSymbolicLink(file)) {
        throw new StorageException("migration record " + file + " is a symbolic link; "
            + "credstore does not follow links to its own files");
      }
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException absent) {
      return new MigrationState(file, new ArrayList<>());
    } catch (IOException e) {
      throw new StorageException("cannot read migration record " + file + ": " + e.getMessage()
          + "; it only lists past migrations, so you may move it aside", e);
    }
    List<Entry> entries = new ArrayList<>();
    try {
      if (root == null || root.path("version").asInt() != VERSION
          || !root.path("migrations").isArray()) {
        throw new IllegalArgumentException("unknown layout");
      }
      for (JsonNode node : root.get("migrations")) {
        String sha = node.path("scrubbedSha256").isTextual()
            ? node.get("scrubbedSha256").asText() : null;
        entries.add(new Entry(Path.of(node.get("path").asText()), node.get("pointer").asText(),
            new CredentialId(node.get("service").asText(), node.get("account").asText()),
            Instant.parse(node.get("migratedAt").asText()),
            node.path("plaintextKept").asBoolean(false), sha));
      }
    } catch (RuntimeException e) {
      throw new StorageException("migration record " + file + " is not one credstore wrote ("
          + e.getMessage() + "); it only lists past migrations, so you may move it aside", e);
    }
    return new MigrationState(file, entries);
  }

  public Path file() {
    return file;
  }

  /** The record for {@code path} and {@code pointer}, if that file was migrated. */
  Optional<Entry> find(Path path, String pointer) {
    return entries.stream()
        .filter(e -> e.path().equals(path) && e.pointer().equals(pointer))
        .findFirst();
  }

  /**
   * Records {@code entry}, replacing any for the same file and pointer, and writes the record
   * atomically.
   *
   * @throws StorageException if it cannot be written; the record in memory is updated anyway
   */
  void record(Entry entry) throws StorageException {
    entries.removeIf(e -> e.path().equals(entry.path()) && e.pointer().equals(entry.pointer()));
    entries.add(entry);
    ObjectNode root = JSON.createObjectNode();
    root.put("version", VERSION);
    ArrayNode list = root.putArray("migrations");
    for (Entry e : entries) {
      ObjectNode node = list.addObject();
      node.put("path", e.path().toString());
      node.put("pointer", e.pointer());
      node.put("service", e.id().service());
      node.put("account", e.id().account());
      node.put("migratedAt", e.migratedAt().toString());
      node.put("plaintextKept", e.plaintextKept());
      node.put("scrubbedSha256", e.scrubbedSha256());
    }
    try {
      byte[] bytes = JSON.writeValueAsBytes(root);
      byte[] withNewline = Arrays.copyOf(bytes, bytes.length + 1);
      withNewline[bytes.length] = '\n';
      AtomicFiles.writePrivate(file, withNewline);
    } catch (IOException e) {
      throw new StorageException("cannot write migration record " + file + ": "
          + e.getMessage(), e);
    }
  }
}
