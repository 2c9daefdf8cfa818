package dev.credstore.file;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.Secret;
import dev.credstore.spi.Json;
import dev.credstore.spi.MetadataJson;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The decrypted payload: a JSON object {@code {"credentials":[…]}} written and read with Jackson's
 * streaming API, so that secrets go between {@code char[]} and the byte buffer without ever
 * becoming a {@link String}.
 */
final class PayloadCodec {

  // The secret-safe factory: no recycled buffer keeps plaintext alive across operations.
  private static final JsonFactory JSON = Json.factory();

  private PayloadCodec() {}

  /** Thrown when a decrypted payload is not what this version writes. */
  static final class MalformedPayloadException extends Exception {
    MalformedPayloadException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private static final byte[] PREFIX = "{\"credentials\":[".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SUFFIX = "]}".getBytes(StandardCharsets.UTF_8);

  /** Encodes {@code credentials} as UTF-8 JSON; the caller zeroes the result. */
  static byte[] encode(Iterable<Credential> credentials) {
    List<byte[]> objects = encodeEach(credentials);
    try {
      return join(objects);
    } finally {
      objects.forEach(o -> Arrays.fill(o, (byte) 0));
    }
  }

  /**
   * Each credential's JSON object on its own, so that a writer can keep them and re-encode only
   * what changed; {@link #join} makes the payload of them. The caller zeroes every array.
   */
  static List<byte[]> encodeEach(Iterable<Credential> credentials) {
    List<byte[]> objects = new ArrayList<>();
    ZeroingBuffer out = new ZeroingBuffer();
    try (JsonGenerator gen = JSON.createGenerator(out)) {
      gen.setRootValueSeparator(null); // one generator, many root values, nothing between them
      for (Credential credential : credentials) {
        write(gen, credential);
        gen.flush();
        objects.add(out.toByteArrayAndWipe());
      }
    } catch (IOException e) {
      out.wipe();
      objects.forEach(o -> Arrays.fill(o, (byte) 0));
      throw new IllegalStateException("writing JSON to memory cannot fail", e);
    }
    return objects;
  }

  /**
   * The payload {@code {"credentials":[…]}} of objects from {@link #encodeEach}, in the order
   * given, in one exactly sized array: the same bytes as {@link #encode}. The caller zeroes it.
   */
  static byte[] join(Collection<byte[]> objects) {
    byte[][] all = objects.toArray(new byte[0][]); // one walk of the collection, not two
    int length = PREFIX.length + Math.max(0, all.length - 1) + SUFFIX.length;
    for (byte[] object : all) {
      length += object.length;
    }
    byte[] payload = new byte[length];
    System.arraycopy(PREFIX, 0, payload, 0, PREFIX.length);
    int at = PREFIX.length;
    boolean first = true;
    for (byte[] object : all) {
      if (!first) {
        payload[at++] = ',';
      }
      first = false;
      System.arraycopy(object, 0, payload, at, object.length);
      at += object.length;
    }
    System.arraycopy(SUFFIX, 0, payload, at, SUFFIX.length);
    return payload;
  }

  // The shared metadata encoding, with the secrets between its two parts (format 1's order).
  /**
   * The format 1.1 payload {@code {"credentials":[…],"store":"…","writes":N}} of objects from
   * {@link #encodeEach}, in one exactly sized array. The caller zeroes it.
   */
  static byte[] join(Collection<byte[]> objects, WriteCount count) {
    byte[] v10 = join(objects);
    byte[] tail = ("],\"store\":\"" + count.store() + "\",\"writes\":" + count.writes() + "}")
        .getBytes(StandardCharsets.UTF_8);
    int keep = v10.length - SUFFIX.length;
    byte[] payload = Arrays.copyOf(v10, keep + tail.length);
    Arrays.fill(v10, (byte) 0);
    System.arraycopy(tail, 0, payload, keep, tail.length);
    return payload;
  }

  private static void write(JsonGenerator gen, Credential credential) throws IOException {
    CredentialMetadata m = credential.metadata();
    gen.writeStartObject();
    MetadataJson.writeIdentity(gen, m);
    writeSecret(gen, "secret", credential.secret());
    if (credential.previousSecret().isPresent()) {
      writeSecret(gen, "previousSecret", credential.previousSecret().get());
    }
    MetadataJson.writeDetails(gen, m);
    gen.writeEndObject();
  }

  private static void writeSecret(JsonGenerator gen, String field, Secret secret)
      throws IOException {
    char[] chars = secret.revealChars();
    try {
      gen.writeFieldName(field);
      gen.writeString(chars, 0, chars.length);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /**
   * Decodes a payload into credentials sorted by id. On failure every credential decoded so far is
   * closed.
   */
  static TreeMap<CredentialId, Credential> decode(byte[] json) throws MalformedPayloadException {
    return decode(json, null);
  }

  /**
   * As {@link #decode(byte[])}, and puts into {@code objects} each credential's JSON object as it
   * is in {@code json}, so that a writer need not encode it again: {@link #join} accepts them like
   * those of {@link #encodeEach}. The caller zeroes them; on failure they are zeroed here.
   */
  static TreeMap<CredentialId, Credential> decode(byte[] json, Map<CredentialId, byte[]> objects)
      throws MalformedPayloadException {
    return decode(json, objects, null);
  }

  /**
   * As {@link #decode(byte[], Map)} for a format 1.1 payload: its write count is put in {@code
   * count[0]}, and a payload without one is malformed. With {@code count} null the payload must
   * be format 1.0 (credentials only).
   */
  static TreeMap<CredentialId, Credential> decode(byte[] json, Map<CredentialId, byte[]> objects,
      WriteCount[] count) throws MalformedPayloadException {
    TreeMap<CredentialId, Credential> result = new TreeMap<>();
    try (JsonParser p = JSON.createParser(json)) {
      Json.expect(p.nextToken(), JsonToken.START_OBJECT);
      Json.expectField(p, "credentials");
      Json.expect(p.nextToken(), JsonToken.START_ARRAY);
      while (p.nextToken() == JsonToken.START_OBJECT) {
        long start = p.currentTokenLocation().getByteOffset();
        Credential credential = readCredential(p);
        Credential previous = result.put(credential.id(), credential);
        if (previous != null) {
          previous.close();
          throw new IOException("duplicate credential " + credential.id());
        }
        if (objects != null) {
          // From its '{' to just after its '}': exactly the bytes it was decoded from.
          objects.put(credential.id(), Arrays.copyOfRange(json, Math.toIntExact(start),
              Math.toIntExact(p.currentLocation().getByteOffset())));
        }
      }
      Json.expect(p.currentToken(), JsonToken.END_ARRAY);
      if (count != null) {
        count[0] = readCount(p);
      }
      Json.expect(p.nextToken(), JsonToken.END_OBJECT);
      if (p.nextToken() != null) {
        throw new IOException("trailing data after the payload");
      }
      return result;
    } catch (JsonProcessingException e) {
      discard(result, objects);
      // Jackson's messages can quote the input, which may be a secret: keep only the position.
      throw new MalformedPayloadException("invalid JSON at byte "
          + e.getLocation().getByteOffset(), null);
    } catch (IOException | RuntimeException e) {
      discard(result, objects);
      throw new MalformedPayloadException(e.getMessage(), e);
    }
  }

  // "store":"<id>","writes":N after the credentials, in that order, as join writes them.
  private static WriteCount readCount(JsonParser p) throws IOException {
    Json.expectField(p, "store");
    Json.expect(p.nextToken(), JsonToken.VALUE_STRING);
    String store = p.getText();
    Json.expectField(p, "writes");
    Json.expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT);
    try {
      return new WriteCount(store, p.getLongValue());
    } catch (IllegalArgumentException e) {
      throw new IOException("bad write count", e);
    }
  }

  private static void discard(Map<CredentialId, Credential> credentials,
      Map<CredentialId, byte[]> objects) {
    credentials.values().forEach(Credential::close);
    if (objects != null) {
      objects.values().forEach(o -> Arrays.fill(o, (byte) 0));
      objects.clear();
    }
  }

  private static Credential readCredential(JsonParser p) throws IOException {
    MetadataJson.Reader metadata = new MetadataJson.Reader();
    Secret secret = null;
    Secret previous = null;
    try {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        switch (field) {
          case "secret" -> secret = readSecret(p, value, secret);
          case "previousSecret" -> previous = readSecret(p, value, previous);
          default -> {
            if (!metadata.accept(field, value, p)) {
              throw new IOException("unexpected field '" + field + "'");
            }
          }
        }
      }
      Json.expect(p.currentToken(), JsonToken.END_OBJECT);
      if (secret == null) {
        throw new IOException("credential without a secret");
      }
      return metadata.credential(secret, previous);
    } finally {
      if (secret != null) {
        secret.close();
      }
      if (previous != null) {
        previous.close();
      }
    }
  }

  private static Secret readSecret(JsonParser p, JsonToken value, Secret already)
      throws IOException {
    Json.expect(value, JsonToken.VALUE_STRING);
    if (already != null) {
      throw new IOException("duplicate secret field");
    }
    // getTextCharacters exposes the parser's buffer: copy out without creating a String.
    char[] chars = Arrays.copyOfRange(p.getTextCharacters(), p.getTextOffset(),
        p.getTextOffset() + p.getTextLength());
    try {
      return Secret.of(chars);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }



  /** A growable byte buffer that zeroes every array it discards. */
  static final class ZeroingBuffer extends OutputStream {
    private byte[] bytes = new byte[4096];
    private int size;

    @Override
    public void write(int b) {
      ensure(1);
      bytes[size++] = (byte) b;
    }

    @Override
    public void write(byte[] source, int offset, int length) {
      ensure(length);
      System.arraycopy(source, offset, bytes, size, length);
      size += length;
    }

    private void ensure(int extra) {
      if (size + extra > bytes.length) {
        byte[] bigger = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + extra));
        Arrays.fill(bytes, (byte) 0);
        bytes = bigger;
      }
    }

    byte[] toByteArrayAndWipe() {
      byte[] result = Arrays.copyOf(bytes, size);
      wipe();
      return result;
    }

    // Only the used part: past it the array is still zero (growth zeroes what it leaves).
    void wipe() {
      Arrays.fill(bytes, 0, size, (byte) 0);
      size = 0;
    }
  }
}
