package dev.credstore.keychain.dbus;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads marshalled D-Bus values from one message. Every length is checked against the bytes left
 * before anything is allocated, padding must be zero, strings must be valid UTF-8 without nul,
 * booleans 0 or 1, and nesting (variants included) is bounded, so no input can make it allocate
 * more than the message holds, loop forever or recurse without end.
 */
final class WireReader {

  // The specification's limit for one array; our message cap is far lower anyway.
  private static final int MAX_ARRAY_BYTES = 1 << 26;
  private static final int MAX_VARIANT_DEPTH = 64;

  private final ByteBuffer buffer;

  /** @param buffer the whole message (alignment counts from its position 0), in its byte order */
  WireReader(ByteBuffer buffer) {
    this.buffer = buffer;
  }

  int position() {
    return buffer.position();
  }

  int limit() {
    return buffer.limit();
  }

  /** Reads one value of each complete type in {@code signature}, already checked. */
  List<Object> readAll(String signature) throws MalformedMessageException {
    List<Object> values = new ArrayList<>();
    int i = 0;
    while (i < signature.length()) {
      int end = Signatures.end(signature, i, 0, 0);
      values.add(read(signature, i, 0, 0, 0));
      i = end;
    }
    return values;
  }

  /** Skips to a multiple of {@code boundary}; the padding must be zero and inside the message. */
  void align(int boundary) throws MalformedMessageException {
    int position = buffer.position();
    int aligned = (position + boundary - 1) / boundary * boundary;
    if (aligned > buffer.limit()) {
      throw truncated();
    }
    for (int i = position; i < aligned; i++) {
      if (buffer.get(i) != 0) {
        throw new MalformedMessageException("D-Bus message has non-zero padding");
      }
    }
    buffer.position(aligned);
  }

  private Object read(String sig, int at, int arrays, int structs, int variants)
      throws MalformedMessageException {
    char c = sig.charAt(at);
    switch (c) {
      case 'y' -> {
        need(1);
        return buffer.get() & 0xff;
      }
      case 'b' -> {
        long v = uint32();
        if (v > 1) {
          throw new MalformedMessageException("D-Bus boolean is neither 0 nor 1");
        }
        return v == 1;
      }
      case 'n' -> {
        align(2);
        need(2);
        return (int) buffer.getShort();
      }
      case 'q' -> {
        align(2);
        need(2);
        return buffer.getShort() & 0xffff;
      }
      case 'i' -> {
        align(4);
        need(4);
        return buffer.getInt();
      }
      case 'u', 'h' -> {
        return uint32();
      }
      case 'x', 't' -> {
        align(8);
        need(8);
        return buffer.getLong();
      }
      case 'd' -> {
        align(8);
        need(8);
        return buffer.getDouble();
      }
      case 's' -> {
        return string();
      }
      case 'o' -> {
        String path = string();
        if (!ObjectPaths.valid(path)) {
          throw new MalformedMessageException("D-Bus object path is not valid");
        }
        return path;
      }
      case 'g' -> {
        String signature = signature();
        Signatures.check(signature);
        return signature;
      }
      case 'v' -> {
        if (variants + 1 > MAX_VARIANT_DEPTH) {
          throw new MalformedMessageException("D-Bus variants nest too deeply");
        }
        String signature = signature();
        Signatures.checkSingle(signature);
        return new Variant(signature, read(signature, 0, 0, 0, variants + 1));
      }
      case '(' -> {
        align(8);
        List<Object> fields = new ArrayList<>();
        int i = at + 1;
        while (sig.charAt(i) != ')') {
          int end = Signatures.end(sig, i, arrays, structs + 1);
          fields.add(read(sig, i, arrays, structs + 1, variants));
          i = end;
        }
        return fields;
      }
      case 'a' -> {
        return array(sig, at, arrays, structs, variants);
      }
      default -> throw new MalformedMessageException("D-Bus type '" + c + "' cannot be read here");
    }
  }

  private Object array(String sig, int at, int arrays, int structs, int variants)
      throws MalformedMessageException {
    long length = uint32();
    char element = sig.charAt(at + 1);
    // The padding before the first element is there even when the array is empty.
    align(Signatures.alignment(element));
    if (length > MAX_ARRAY_BYTES || length > buffer.remaining()) {
      throw new MalformedMessageException("D-Bus array of " + length
          + " bytes overruns its message");
    }
    int end = buffer.position() + (int) length;
    if (element == 'y') {
      byte[] bytes = new byte[(int) length];
      buffer.get(bytes);
      return bytes;
    }
    int saved = buffer.limit();
    buffer.limit(end); // an element that runs past the array's end is truncated, not read on
    try {
      if (element == '{') {
        Map<Object, Object> entries = new LinkedHashMap<>();
        int key = at + 2;
        int value = key + 1;
        while (buffer.position() < end) {
          align(8);
          Object k = read(sig, key, arrays + 1, structs + 1, variants);
          Object v = read(sig, value, arrays + 1, structs + 1, variants);
          entries.put(k, v);
        }
        return entries;
      }
      List<Object> items = new ArrayList<>();
      while (buffer.position() < end) {
        items.add(read(sig, at + 1, arrays + 1, structs, variants));
      }
      return items;
    } finally {
      buffer.limit(saved);
    }
  }

  long uint32() throws MalformedMessageException {
    align(4);
    need(4);
    return Integer.toUnsignedLong(buffer.getInt());
  }

  private String string() throws MalformedMessageException {
    long length = uint32();
    if (length >= buffer.remaining()) { // the text and its terminating nul
      throw new MalformedMessageException("D-Bus string of " + length
          + " bytes overruns its message");
    }
    return text((int) length, StandardCharsets.UTF_8);
  }

  private String signature() throws MalformedMessageException {
    need(1);
    int length = buffer.get() & 0xff;
    if (length >= buffer.remaining()) {
      throw new MalformedMessageException("D-Bus signature overruns its message");
    }
    return text(length, StandardCharsets.US_ASCII);
  }

  private String text(int length, java.nio.charset.Charset charset)
      throws MalformedMessageException {
    ByteBuffer slice = buffer.slice(buffer.position(), length);
    buffer.position(buffer.position() + length);
    if (buffer.get() != 0) {
      throw new MalformedMessageException("D-Bus string is not nul-terminated");
    }
    for (int i = 0; i < length; i++) {
      if (slice.get(i) == 0) {
        throw new MalformedMessageException("D-Bus string contains a nul byte");
      }
    }
    try {
      CharBuffer chars = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice);
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new MalformedMessageException("D-Bus string is not valid " + charset.name());
    }
  }

  private void need(int bytes) throws MalformedMessageException {
    if (buffer.remaining() < bytes) {
      throw truncated();
    }
  }

  private static MalformedMessageException truncated() {
    return new MalformedMessageException("D-Bus message is truncated");
  }
}
