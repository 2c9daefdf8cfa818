package dev.credstore.keychain;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import dev.credstore.spi.Json;
import dev.credstore.spi.MetadataJson;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * credstore's non-secret metadata for keychain items, in {@code keychain-index.json}: kind, key
 * name, attributes, times, and whether a previous secret is kept. java-keyring cannot enumerate a
 * keychain, so this index is what {@code list} reads. It never holds a secret.
 *
 * <p>Writers hold {@link #locked} ({@link PrivateLock} on a lock file beside it, so other
 * processes wait too) and replace the file atomically with {@link PrivateFiles#replace}. Readers
 * need no lock: they see the old or the new file.
 */
final class KeychainIndex {

  static final String FILE_NAME = "keychain-index.json";
  private static final int FORMAT = 1;
  // Far more than any index holds; a larger file is not one credstore wrote.
  private static final int MAX_LENGTH = 16 * 1024 * 1024;

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
   * Runs {@code action} holding the index's write lock, waiting at most the lock timeout for other
   * threads and processes.
   */
  <T> T locked(PrivateLock.Action<T> action) throws CredentialStoreException {
    return lock.locked(action);
  }

  /** Every entry, sorted by id; empty when there is no index yet. */
  TreeMap<CredentialId, CredentialMetadata> read() throws CredentialStoreException {
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return new TreeMap<>();
    }
    PrivateFiles.check(file).require();
    byte[] bytes = PrivateFiles.readIfExists(file, MAX_LENGTH);
    if (bytes == null) {
      return new TreeMap<>();
    }
    try (JsonParser p = Json.factory().createParser(bytes)) {
      TreeMap<CredentialId, CredentialMetadata> entries = new TreeMap<>();
      Json.expect(p.nextToken(), JsonToken.START_OBJECT);
      boolean formatSeen = false;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("format")) {
          if (value != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != FORMAT) {
            throw new IntegrityException("the keychain index " + file + " has an unknown format");
          }
          formatSeen = true;
        } else if (field.equals("credentials")) {
          Json.expect(value, JsonToken.START_ARRAY);
          while (p.nextToken() == JsonToken.START_OBJECT) {
            CredentialMetadata metadata = readEntry(p);
            entries.put(metadata.id(), metadata);
          }
          Json.expect(p.currentToken(), JsonToken.END_ARRAY);
        } else {
          p.skipChildren();
        }
      }
      if (!formatSeen) {
        throw new IntegrityException("the keychain index " + file + " has an unknown format");
      }
      return entries;
    } catch (IOException | IllegalArgumentException e) {
      // Not Jackson's message: it quotes parser internals.
      throw new IntegrityException("the keychain index " + file + " is damaged (it holds no"
          + " secrets; move it aside to rebuild it from new writes)", e);
    }
  }

  /** Replaces the index atomically with {@code entries}. Call only inside {@link #locked}. */
  void write(Map<CredentialId, CredentialMetadata> entries) throws CredentialStoreException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = Json.generator(out)) {
      gen.useDefaultPrettyPrinter();
      gen.writeStartObject();
      gen.writeNumberField("format", FORMAT);
      gen.writeArrayFieldStart("credentials");
      for (CredentialMetadata m : new TreeMap<>(entries).values()) {
        gen.writeStartObject();
        MetadataJson.writeIdentity(gen, m);
        MetadataJson.writeDetails(gen, m);
        gen.writeBooleanField("hasPreviousSecret", m.hasPreviousSecret());
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeEndObject();
    } catch (IOException e) {
      throw new StorageException("cannot encode the keychain index", e);
    }
    PrivateFiles.ensureDirectory(directory);
    PrivateFiles.replace(file, out.toByteArray());
  }

  // One entry: the shared metadata encoding plus the keychain's own hasPreviousSecret.
  private static CredentialMetadata readEntry(JsonParser p) throws IOException {
    MetadataJson.Reader metadata = new MetadataJson.Reader();
    boolean hasPreviousSecret = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken value = p.nextToken();
      if (field.equals("hasPreviousSecret")) {
        if (value != JsonToken.VALUE_TRUE && value != JsonToken.VALUE_FALSE) {
          throw new IOException("hasPreviousSecret is not a boolean");
        }
        hasPreviousSecret = value == JsonToken.VALUE_TRUE;
      } else if (!metadata.accept(field, value, p)) {
        p.skipChildren(); // a field a later version added: not ours to judge
      }
    }
    Json.expect(p.currentToken(), JsonToken.END_OBJECT);
    return metadata.metadata(hasPreviousSecret);
  }
}
