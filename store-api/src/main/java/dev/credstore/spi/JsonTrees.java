package dev.credstore.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Map;

/**
 * Reads a JSON tree with Jackson's streaming parser, as {@code new ObjectMapper().readTree(…)}
 * does (first value only, a later duplicate key wins, empty input is a missing node) but without
 * initialising an {@code ObjectMapper}: in a fresh JVM that costs 50–300 ms, a large part of a
 * {@code credstore get}. Parses with the secret-safe {@link Json#factory()}.
 */
public final class JsonTrees {

  private static final JsonFactory FACTORY = Json.factory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTrees() {}

  public static JsonNode read(byte[] json) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      return read(parser);
    }
  }

  public static JsonNode read(InputStream json) throws IOException {
    try (JsonParser parser = FACTORY.createParser(json)) {
      return read(parser);
    }
  }

  /**
   * Writes {@code node} with {@code generator}, as {@code ObjectMapper.writeTree} would for the
   * trees {@link #read} makes (objects, arrays, strings, numbers, booleans, null).
   */
  public static void write(JsonGenerator generator, JsonNode node) throws IOException {
    switch (node.getNodeType()) {
      case OBJECT -> {
        generator.writeStartObject();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          generator.writeFieldName(field.getKey());
          write(generator, field.getValue());
        }
        generator.writeEndObject();
      }
      case ARRAY -> {
        generator.writeStartArray();
        for (JsonNode element : node) {
          write(generator, element);
        }
        generator.writeEndArray();
      }
      case STRING -> generator.writeString(node.textValue());
      case NUMBER -> {
        switch (node.numberType()) {
          case INT -> generator.writeNumber(node.intValue());
          case LONG -> generator.writeNumber(node.longValue());
          case BIG_INTEGER -> generator.writeNumber(node.bigIntegerValue());
          case FLOAT, DOUBLE -> generator.writeNumber(node.doubleValue());
          default -> generator.writeNumber(node.decimalValue());
        }
      }
      case BOOLEAN -> generator.writeBoolean(node.booleanValue());
      case NULL, MISSING -> generator.writeNull();
      default -> throw new IOException("cannot write a " + node.getNodeType() + " node");
    }
  }

  private static JsonNode read(JsonParser parser) throws IOException {
    return parser.nextToken() == null ? MissingNode.getInstance() : value(parser);
  }

  private static JsonNode value(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    switch (token) {
      case START_OBJECT -> {
        ObjectNode object = NODES.objectNode();
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
          String name = parser.currentName();
          parser.nextToken();
          object.set(name, value(parser));
        }
        return object;
      }
      case START_ARRAY -> {
        ArrayNode array = NODES.arrayNode();
        while (parser.nextToken() != JsonToken.END_ARRAY) {
          array.add(value(parser));
        }
        return array;
      }
      case VALUE_STRING -> {
        return NODES.textNode(parser.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (parser.getNumberType()) {
          case INT -> NODES.numberNode(parser.getIntValue());
          case LONG -> NODES.numberNode(parser.getLongValue());
          default -> NODES.numberNode(parser.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(parser.getDoubleValue());
      }
      case VALUE_TRUE -> {
        return NODES.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return NODES.booleanNode(false);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> throw new IOException("unexpected JSON token " + token);
    }
  }
}
