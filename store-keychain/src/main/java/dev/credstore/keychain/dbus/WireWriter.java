package dev.credstore.keychain.dbus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Marshals D-Bus values by signature, in either byte order; alignment counts from the start of the
 * buffer, which is the start of the message. Java values as {@link Message} describes them.
 */
final class WireWriter {

  private final ByteOrder order;
  private byte[] data = new byte[256];
  private int size;

  WireWriter(ByteOrder order) {
    this.order = order;
  }

  int size() {
    return size;
  }

  /** Writes {@code values}, one per complete type of {@code signature}. */
  void writeAll(String signature, List<?> values) {
    int i = 0;
    int n = 0;
    while (i < signature.length()) {
      int end = endOf(signature, i);
      if (n >= values.size()) {
        throw new IllegalArgumentException("fewer values than signature " + signature + " needs");
      }
      write(signature, i, values.get(n++));
      i = end;
    }
    if (n != values.size()) {
      throw new IllegalArgumentException("more values than signature " + signature + " holds");
    }
  }

  void write(String sig, int at, Object value) {
    char c = sig.charAt(at);
    switch (c) {
      case 'y' -> byte1(((Number) value).intValue());
      case 'b' -> uint32(((Boolean) value) ? 1 : 0);
      case 'n', 'q' -> {
        align(2);
        ensure(2);
        ByteBuffer.wrap(data, size, 2).order(order).putShort(((Number) value).shortValue());
        size += 2;
      }
      case 'i', 'u', 'h' -> uint32((int) ((Number) value).longValue());
      case 'x', 't' -> {
        align(8);
        ensure(8);
        ByteBuffer.wrap(data, size, 8).order(order).putLong(((Number) value).longValue());
        size += 8;
      }
      case 'd' -> {
        align(8);
        ensure(8);
        ByteBuffer.wrap(data, size, 8).order(order).putDouble(((Number) value).doubleValue());
        size += 8;
      }
      case 's', 'o' -> string((String) value);
      case 'g' -> signature((String) value);
      case 'v' -> {
        Variant variant = (Variant) value;
        signature(variant.signature());
        write(variant.signature(), 0, variant.value());
      }
      case '(' -> {
        align(8);
        List<?> fields = (List<?>) value;
        int i = at + 1;
        int n = 0;
        while (sig.charAt(i) != ')') {
          int end = endOf(sig, i);
          write(sig, i, fields.get(n++));
          i = end;
        }
      }
      case 'a' -> array(sig, at, value);
      default -> throw new IllegalArgumentException("cannot write D-Bus type " + c);
    }
  }

  private void array(String sig, int at, Object value) {
    int lengthAt = reserveUint32();
    char element = sig.charAt(at + 1);
    align(Signatures.alignment(element));
    int start = size;
    if (element == 'y') {
      bytes((byte[]) value);
    } else if (element == '{') {
      int key = at + 2;
      int val = key + 1;
      for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
        align(8);
        write(sig, key, entry.getKey());
        write(sig, val, entry.getValue());
      }
    } else {
      for (Object item : (List<?>) value) {
        write(sig, at + 1, item);
      }
    }
    patchUint32(lengthAt, size - start);
  }

  void byte1(int b) {
    ensure(1);
    data[size++] = (byte) b;
  }

  void bytes(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, data, size, bytes.length);
    size += bytes.length;
  }

  void align(int boundary) {
    while (size % boundary != 0) {
      byte1(0);
    }
  }

  void uint32(int value) {
    align(4);
    ensure(4);
    ByteBuffer.wrap(data, size, 4).order(order).putInt(value);
    size += 4;
  }

  int reserveUint32() {
    align(4);
    int at = size;
    uint32(0);
    return at;
  }

  void patchUint32(int at, int value) {
    ByteBuffer.wrap(data, at, 4).order(order).putInt(value);
  }

  private void string(String value) {
    byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
    uint32(utf8.length);
    bytes(utf8);
    byte1(0);
  }

  private void signature(String value) {
    byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
    byte1(ascii.length);
    bytes(ascii);
    byte1(0);
  }

  /** The bytes written; this writer's buffer is zeroed, since it may have held a secret. */
  byte[] finish() {
    byte[] copy = Arrays.copyOf(data, size);
    Arrays.fill(data, (byte) 0);
    size = 0;
    return copy;
  }

  private static int endOf(String sig, int i) {
    try {
      return Signatures.end(sig, i, 0, 0);
    } catch (MalformedMessageException e) {
      throw new IllegalArgumentException("invalid signature " + sig, e);
    }
  }

  private void ensure(int more) {
    if (size + more > data.length) {
      byte[] bigger = new byte[Math.max(data.length * 2, size + more)];
      System.arraycopy(data, 0, bigger, 0, size);
      Arrays.fill(data, (byte) 0);
      data = bigger;
    }
  }
}
