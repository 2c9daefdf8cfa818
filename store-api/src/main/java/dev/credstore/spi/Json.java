package dev.credstore.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;

/**
 * The one Jackson factory credstore uses, for everything that may carry a secret (store payloads,
 * tools' config files, helper protocols, command output): no buffer recycling, so no pooled
 * buffer keeps a secret's characters alive for the next parser or generator, and no source
 * excerpts in error locations, so no parse error quotes its input. Streaming only: creating an
 * {@code ObjectMapper} costs a fresh JVM 50–300 ms, which a {@code get} must not pay (see
 * {@link JsonTrees}). Thread-safe.
 */
public final class Json {

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .recyclerPool(JsonRecyclerPools.nonRecyclingPool())
      .disable(JsonFactory.Feature.USE_THREAD_LOCAL_FOR_BUFFER_RECYCLING)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .build();

  private Json() {}

  /** The shared, secret-safe factory. */
  public static JsonFactory factory() {
    return FACTORY;
  }

  /** @throws IOException unless {@code actual} is {@code expected}: for strict readers */
  public static void expect(JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + " but found " + actual);
    }
  }

  /** @throws IOException unless the next token is the field {@code name} */
  public static void expectField(JsonParser p, String name) throws IOException {
    if (p.nextToken() != JsonToken.FIELD_NAME || !name.equals(p.currentName())) {
      throw new IOException("expected field '" + name + "'");
    }
  }

  /** A generator writing to {@code out} that leaves {@code out} open when closed. */
  public static JsonGenerator generator(Writer out) throws IOException {
    JsonGenerator generator = FACTORY.createGenerator(out);
    generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return generator;
  }

  /** A generator writing UTF-8 to {@code out} that leaves {@code out} open when closed. */
  public static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator generator = FACTORY.createGenerator(out);
    generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    return generator;
  }
}
