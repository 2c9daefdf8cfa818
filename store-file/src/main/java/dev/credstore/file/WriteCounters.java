package dev.credstore.file;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import dev.credstore.spi.Json;
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
 * The highest write counter seen of each store, kept outside the store file (by default in
 * {@code $XDG_STATE_HOME/credstore/file-store-writes.json}, private, via the toolkit), so that an
 * older copy of a store put back in its place (a rollback that would bring back a revoked token)
 * is refused instead of read. It holds no secret: store ids and counts.
 *
 * <p>Recording is best effort: a state directory that cannot be written weakens the check but
 * never fails a read or a write that already happened.
 */
final class WriteCounters {

  static final String FILE_NAME = "file-store-writes.json";
  private static final int FORMAT = 1;
  private static final int MAX_LENGTH = 1024 * 1024;

  private final Path file;
  private final Path lockFile;
  private final Duration lockTimeout;

  /** Counters in {@code file}; null turns the check off (tests of other things). */
  WriteCounters(Path file, Duration lockTimeout) {
    this.file = file == null ? null : file.toAbsolutePath().normalize();
    this.lockFile = file == null ? null : this.file.resolveSibling(FILE_NAME + ".lock");
    this.lockTimeout = lockTimeout;
  }

  /**
   * Refuses {@code found} if a higher count of the same store was seen before; else records it.
   *
   * @throws IntegrityException naming both counts and how to accept a restore made on purpose
   */
  void check(WriteCount found, String location) throws CredentialStoreException {
    if (file == null || found == null) {
      return;
    }
    Long seen = read().get(found.store());
    if (seen != null && seen > found.writes()) {
      throw new IntegrityException("store file " + location + " went back in time: it holds write "
          + found.writes() + ", but write " + seen + " of this store was seen before (an older"
          + " copy put back?); if you restored it on purpose, delete " + file
          + " (it holds only these counters)");
    }
    if (seen == null || seen < found.writes()) {
      record(found);
    }
  }

  /** Records that {@code written} is now on disk; best effort. */
  void record(WriteCount written) {
    if (file == null) {
      return;
    }
    try {
      PrivateFiles.ensureDirectory(file.getParent());
      PrivateLock.hold(lockFile, lockTimeout, () -> {
        Map<String, Long> counts = read();
        if (counts.getOrDefault(written.store(), 0L) < written.writes()) {
          counts.put(written.store(), written.writes());
          PrivateFiles.replace(file, encode(counts));
        }
        return null;
      });
    } catch (CredentialStoreException | RuntimeException e) {
      // Not recorded: the next check is weaker, but what happened to the store stands.
    }
  }

  private Map<String, Long> read() throws CredentialStoreException {
    TreeMap<String, Long> counts = new TreeMap<>();
    if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
      return counts;
    }
    PrivateFiles.check(file).require();
    byte[] bytes = PrivateFiles.readIfExists(file, MAX_LENGTH);
    if (bytes == null) {
      return counts;
    }
    try (JsonParser p = Json.factory().createParser(bytes)) {
      Json.expect(p.nextToken(), JsonToken.START_OBJECT);
      Json.expectField(p, "format");
      if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getIntValue() != FORMAT) {
        throw new IOException("unknown format");
      }
      Json.expectField(p, "stores");
      Json.expect(p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String store = p.currentName();
        Json.expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT);
        counts.put(store, p.getLongValue());
      }
      return counts;
    } catch (IOException e) {
      throw new StorageException("the write counters in " + file + " are damaged ("
          + e.getMessage() + "); they hold no secret, so you may delete the file", e);
    }
  }

  private static byte[] encode(Map<String, Long> counts) throws StorageException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator gen = Json.generator(out)) {
      gen.writeStartObject();
      gen.writeNumberField("format", FORMAT);
      gen.writeObjectFieldStart("stores");
      for (Map.Entry<String, Long> count : counts.entrySet()) {
        gen.writeNumberField(count.getKey(), count.getValue());
      }
      gen.writeEndObject();
      gen.writeEndObject();
    } catch (IOException e) {
      throw new StorageException("cannot encode the write counters", e);
    }
    out.write('\n');
    return out.toByteArray();
  }
}
