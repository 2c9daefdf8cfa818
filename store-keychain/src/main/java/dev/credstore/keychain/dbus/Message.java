package dev.credstore.keychain.dbus;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One D-Bus message: encoding of the calls credstore makes, and a strict parser for what comes
 * back. Values are Java objects by type code: {@code y q n i} Integer, {@code u h x t} Long (u and h
 * unsigned), {@code d} Double, {@code b} Boolean, {@code s o g} String, {@code ay} byte[], other
 * arrays List, dictionaries ({@code a{..}}) Map, structs List, {@code v} {@link Variant}.
 *
 * <p>The parser refuses anything the specification does not allow and anything larger than
 * {@link #MAX_LENGTH}: a wrong endianness byte or protocol version, lengths beyond the bytes left,
 * bad padding, strings, booleans, signatures or object paths, missing required header fields, a body
 * that does not match its signature exactly, and file descriptors (never negotiated). Each refusal
 * is a {@link MalformedMessageException}.
 */
public final class Message {

  /**
   * Largest message read: far above any Secret Service reply credstore asks for (a search
   * returning thousands of item paths), far below what could strain memory.
   */
  public static final int MAX_LENGTH = 1 << 20;
  static final int FIXED_HEADER = 16;

  public static final int METHOD_CALL = 1;
  public static final int METHOD_RETURN = 2;
  public static final int ERROR = 3;
  public static final int SIGNAL = 4;
  /** Header flag: the bus must not start a service to deliver this call. */
  public static final int NO_AUTO_START = 0x2;

  private static final int PATH = 1;
  private static final int INTERFACE = 2;
  private static final int MEMBER = 3;
  private static final int ERROR_NAME = 4;
  private static final int REPLY_SERIAL = 5;
  private static final int DESTINATION = 6;
  private static final int SENDER = 7;
  private static final int SIGNATURE = 8;
  private static final int UNIX_FDS = 9;

  private final int type;
  private final int flags;
  private final long serial;
  private final long replySerial;
  private final String path;
  private final String member;
  private final String errorName;
  private final String sender;
  private final String signature;
  private final List<Object> body;

  private Message(int type, int flags, long serial, long replySerial, String path, String member,
      String errorName, String sender, String signature, List<Object> body) {
    this.type = type;
    this.flags = flags;
    this.serial = serial;
    this.replySerial = replySerial;
    this.path = path;
    this.member = member;
    this.errorName = errorName;
    this.sender = sender;
    this.signature = signature;
    this.body = body;
  }

  public int type() {
    return type;
  }

  public int flags() {
    return flags;
  }

  public long serial() {
    return serial;
  }

  /** The serial of the call this answers; -1 for calls and signals. */
  public long replySerial() {
    return replySerial;
  }

  public String path() {
    return path;
  }

  public String member() {
    return member;
  }

  /** The error name of an error reply, else null. */
  public String errorName() {
    return errorName;
  }

  public String sender() {
    return sender;
  }

  /** The body's signature, "" for an empty body. */
  public String signature() {
    return signature;
  }

  public List<Object> body() {
    return body;
  }

  /** A method call, little-endian, with {@link #NO_AUTO_START} set. */
  public static byte[] methodCall(long serial, String destination, String path, String iface,
      String member, String signature, List<?> args) {
    return encode(ByteOrder.LITTLE_ENDIAN, METHOD_CALL, NO_AUTO_START, serial,
        headerFields(path, iface, member, null, -1, destination, signature), signature, args);
  }

  /** A method return; credstore sends none, tests and peers do. */
  public static byte[] methodReturn(ByteOrder order, long serial, long replySerial,
      String destination, String signature, List<?> args) {
    return encode(order, METHOD_RETURN, 0, serial,
        headerFields(null, null, null, null, replySerial, destination, signature), signature, args);
  }

  /** An error reply; credstore sends none, tests and peers do. */
  public static byte[] error(ByteOrder order, long serial, long replySerial, String errorName,
      String destination, String detail) {
    String signature = detail == null ? "" : "s";
    return encode(order, ERROR, 0, serial,
        headerFields(null, null, null, errorName, replySerial, destination, signature), signature,
        detail == null ? List.of() : List.of(detail));
  }

  // libdbus's field order: path, interface, member, error name, reply serial, destination,
  // signature, so credstore's calls are byte for byte what dbus-send sends.
  private static List<Object> headerFields(String path, String iface, String member,
      String errorName, long replySerial, String destination, String signature) {
    List<Object> fields = new ArrayList<>();
    addField(fields, PATH, "o", path);
    addField(fields, INTERFACE, "s", iface);
    addField(fields, MEMBER, "s", member);
    addField(fields, ERROR_NAME, "s", errorName);
    if (replySerial >= 0) {
      addField(fields, REPLY_SERIAL, "u", replySerial);
    }
    addField(fields, DESTINATION, "s", destination);
    if (!signature.isEmpty()) {
      addField(fields, SIGNATURE, "g", signature);
    }
    return fields;
  }

  private static void addField(List<Object> fields, int code, String type, Object value) {
    if (value != null) {
      fields.add(List.of(code, new Variant(type, value)));
    }
  }

  private static byte[] encode(ByteOrder order, int type, int flags, long serial,
      List<Object> fields, String signature, List<?> args) {
    WireWriter body = new WireWriter(order);
    body.writeAll(signature, args);
    byte[] bodyBytes = body.finish();
    WireWriter message = new WireWriter(order);
    message.byte1(order == ByteOrder.LITTLE_ENDIAN ? 'l' : 'B');
    message.byte1(type);
    message.byte1(flags);
    message.byte1(1);
    message.uint32(bodyBytes.length);
    message.uint32((int) serial);
    message.write("a(yv)", 0, fields);
    message.align(8);
    message.bytes(bodyBytes);
    Arrays.fill(bodyBytes, (byte) 0);
    return message.finish();
  }

  /**
   * The length of the whole message whose first 16 bytes are {@code fixed}, checked before
   * anything that size is allocated.
   *
   * @throws MalformedMessageException on a bad endianness byte or version, or a message over
   *     {@link #MAX_LENGTH}
   */
  public static int frameLength(byte[] fixed) throws MalformedMessageException {
    if (fixed.length < FIXED_HEADER) {
      throw new MalformedMessageException("D-Bus message is truncated");
    }
    ByteBuffer header = ByteBuffer.wrap(fixed, 0, FIXED_HEADER).order(order(fixed[0]));
    if (fixed[3] != 1) {
      throw new MalformedMessageException("D-Bus protocol version " + (fixed[3] & 0xff)
          + " is not supported (only 1)");
    }
    long bodyLength = Integer.toUnsignedLong(header.getInt(4));
    long fieldsLength = Integer.toUnsignedLong(header.getInt(12));
    long total = ((FIXED_HEADER + fieldsLength + 7) & ~7L) + bodyLength;
    if (total > MAX_LENGTH) {
      throw new MalformedMessageException("D-Bus message of " + total
          + " bytes is larger than the limit of " + MAX_LENGTH);
    }
    return (int) total;
  }

  /** Parses one whole message; {@code bytes} is not changed. */
  public static Message parse(byte[] bytes) throws MalformedMessageException {
    int total = frameLength(bytes);
    if (bytes.length != total) {
      throw new MalformedMessageException("D-Bus message is " + bytes.length
          + " bytes, its header says " + total);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(order(bytes[0]));
    int type = bytes[1] & 0xff;
    int flags = bytes[2] & 0xff;
    long bodyLength = Integer.toUnsignedLong(buffer.getInt(4));
    long serial = Integer.toUnsignedLong(buffer.getInt(8));
    if (type == 0) {
      throw new MalformedMessageException("D-Bus message has type 0 (invalid)");
    }
    if (serial == 0) {
      throw new MalformedMessageException("D-Bus message has serial 0 (invalid)");
    }
    buffer.position(12);
    WireReader reader = new WireReader(buffer);
    List<Object> header = reader.readAll("a(yv)");
    long replySerial = -1;
    String path = null;
    String member = null;
    String errorName = null;
    String sender = null;
    String signature = "";
    boolean hasInterface = false;
    for (Object entry : (List<?>) header.get(0)) {
      List<?> field = (List<?>) entry;
      int code = (Integer) field.get(0);
      Variant value = (Variant) field.get(1);
      switch (code) {
        case PATH -> path = (String) expect(value, "o", "path");
        case INTERFACE -> {
          expect(value, "s", "interface");
          hasInterface = true;
        }
        case MEMBER -> member = (String) expect(value, "s", "member");
        case ERROR_NAME -> errorName = (String) expect(value, "s", "error name");
        case REPLY_SERIAL -> {
          replySerial = (Long) expect(value, "u", "reply serial");
          if (replySerial == 0) {
            throw new MalformedMessageException("D-Bus reply serial is 0 (invalid)");
          }
        }
        case DESTINATION -> expect(value, "s", "destination");
        case SENDER -> sender = (String) expect(value, "s", "sender");
        case SIGNATURE -> signature = (String) expect(value, "g", "signature");
        case UNIX_FDS -> {
          if ((Long) expect(value, "u", "unix fds") != 0) {
            throw new MalformedMessageException("D-Bus message carries file descriptors,"
                + " which were never negotiated");
          }
        }
        default -> { } // unknown fields must be ignored
      }
    }
    boolean complete = switch (type) {
      case METHOD_CALL -> path != null && member != null;
      case METHOD_RETURN -> replySerial > 0;
      case ERROR -> replySerial > 0 && errorName != null;
      case SIGNAL -> path != null && member != null && hasInterface;
      default -> true; // unknown types are skipped by the caller, never read
    };
    if (!complete) {
      throw new MalformedMessageException("D-Bus message of type " + type
          + " lacks a required header field");
    }
    reader.align(8);
    if (reader.limit() - reader.position() != bodyLength) {
      throw new MalformedMessageException("D-Bus message body is not the declared length");
    }
    if (bodyLength > 0 && signature.isEmpty()) {
      throw new MalformedMessageException("D-Bus message has a body but no signature");
    }
    List<Object> body = reader.readAll(signature);
    if (reader.position() != reader.limit()) {
      throw new MalformedMessageException("D-Bus message body has bytes beyond its signature");
    }
    return new Message(type, flags, serial, replySerial, path, member, errorName, sender,
        signature, List.copyOf(body));
  }

  private static Object expect(Variant value, String type, String what)
      throws MalformedMessageException {
    if (!value.signature().equals(type)) {
      throw new MalformedMessageException("D-Bus header field " + what + " has type "
          + value.signature() + ", not " + type);
    }
    return value.value();
  }

  private static ByteOrder order(byte endianness) throws MalformedMessageException {
    return switch (endianness) {
      case 'l' -> ByteOrder.LITTLE_ENDIAN;
      case 'B' -> ByteOrder.BIG_ENDIAN;
      default -> throw new MalformedMessageException("D-Bus message has an invalid endianness byte");
    };
  }

  /** Overwrites every byte[] in {@code values}, at any depth (e.g. a secret's ciphertext). */
  public static void wipe(Object values) {
    if (values instanceof byte[] bytes) {
      Arrays.fill(bytes, (byte) 0);
    } else if (values instanceof List<?> list) {
      list.forEach(Message::wipe);
    } else if (values instanceof Map<?, ?> map) {
      map.values().forEach(Message::wipe);
    } else if (values instanceof Variant variant) {
      wipe(variant.value());
    }
  }

  @Override
  public String toString() {
    return "Message[type " + type + ", serial " + serial + ", signature " + signature + "]";
  }
}
