package dev.credstore.cli.migrate;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.credstore.api.CredentialId;
import dev.credstore.api.StorageException;
import dev.credstore.spi.Json;
import dev.credstore.spi.JsonTrees;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.UserDirectories;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
  // Far more than any record lists; a larger file is not one credstore wrote.
  private static final int MAX_LENGTH = 16 * 1024 * 1024;

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
  public static Path defaultFile(Map<String, String> environment) {
    return UserDirectories.of(environment).credstoreState().resolve("migrations.json");
  }

  /**
   * Reads the record; an absent file is an empty record.
   *
   * @throws StorageException if it cannot be read or is not a record credstore wrote
   */
  public static MigrationState load(Path file) throws StorageException {
    JsonNode root;
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        return new MigrationState(file, new ArrayList<>());
      }
      PrivateFiles.check(file).require();
      byte[] bytes = PrivateFiles.readIfExists(file, MAX_LENGTH);
      if (bytes == null) {
        return new MigrationState(file, new ArrayList<>());
      }
      try {
        root = JsonTrees.read(bytes);
      } finally {
        Arrays.fill(bytes, (byte) 0);
      }
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
    ObjectNode root = JsonNodeFactory.instance.objectNode();
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
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JsonGenerator generator = Json.generator(out)) {
        generator.useDefaultPrettyPrinter();
        JsonTrees.write(generator, root);
      }
      out.write('\n');
      byte[] withNewline = out.toByteArray();
      PrivateFiles.ensureDirectory(file.toAbsolutePath().getParent());
      PrivateFiles.replace(file, withNewline);
    } catch (IOException e) {
      throw new StorageException("cannot write migration record " + file + ": "
          + e.getMessage(), e);
    }
  }
}
