package dev.credstore.keychain;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A deliberately tiny D-Bus client: one connection on a Unix socket, method calls with string,
 * object-path, string-dictionary and variant arguments, and replies read as booleans, integers,
 * strings, byte arrays and object-path arrays. Enough to ask the bus and the Secret Service a few
 * questions, and to read one secret, without triggering an unlock prompt, D-Bus activation, or
 * dbus-java's non-daemon threads (and its ~1 s of set-up).
 *
 * <p>Not thread-safe; callers bound every call with a timeout and {@link #close()} on expiry, which
 * unblocks a pending read. A secret crosses it only as Secret Service transfer ciphertext (see
 * {@link SecretTransfer}); received messages are zeroed once parsed.
 */
final class DBusWire implements AutoCloseable {

  static final String BUS_NAME = "org.freedesktop.DBus";
  static final String BUS_PATH = "/org/freedesktop/DBus";
  static final String PROPERTIES = "org.freedesktop.DBus.Properties";

  private static final byte METHOD_CALL = 1;
  private static final byte METHOD_RETURN = 2;
  private static final byte ERROR = 3;
  private static final int MAX_MESSAGE = 1 << 20;

  private final SocketChannel channel;
  private int serial;

  private DBusWire(SocketChannel channel) {
    this.channel = channel;
  }

  /** The socket path named by a session bus address, e.g. {@code unix:path=/run/user/1000/bus}. */
  static Path socketPath(String address) throws IOException {
    for (String entry : address.split(";")) {
      if (!entry.startsWith("unix:")) {
        continue;
      }
      for (String pair : entry.substring(5).split(",")) {
        if (pair.startsWith("path=")) {
          return Path.of(unescape(pair.substring(5)));
        }
      }
    }
    throw new IOException("unsupported D-Bus address (only unix:path= sockets are supported): "
        + address);
  }

  /** Connects, authenticates with the peer credentials of this process, and says Hello. */
  static DBusWire connect(String address) throws IOException {
    Path path = socketPath(address);
    if (!Files.exists(path)) {
      throw new IOException("no D-Bus socket at " + path);
    }
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    DBusWire wire = new DBusWire(channel);
    try {
      channel.connect(UnixDomainSocketAddress.of(path));
      wire.authenticate();
      wire.call(BUS_NAME, BUS_PATH, BUS_NAME, "Hello", "", List.of());
      return wire;
    } catch (IOException | RuntimeException e) {
      wire.close();
      throw e;
    }
  }

  /** {@code org.freedesktop.DBus.NameHasOwner}: whether a running process owns {@code name}. */
  boolean nameHasOwner(String name) throws IOException {
    return call(BUS_NAME, BUS_PATH, BUS_NAME, "NameHasOwner", "s", List.of(name)).readBoolean();
  }

  /** Performs a method call and returns the reply's body; a D-Bus error becomes {@link Failure}. */
  Reader call(String destination, String path, String iface, String member, String signature,
      List<Object> args) throws IOException {
    int mySerial = ++serial;
    write(encodeCall(mySerial, destination, path, iface, member, signature, args));
    while (true) {
      Reader reply = readMessage();
      if (reply.replySerial != mySerial) {
        continue; // signals such as NameAcquired, or replies to calls abandoned earlier
      }
      if (reply.type == ERROR) {
        String detail = reply.bodySignature.startsWith("s") ? reply.readString() : "";
        throw new Failure(reply.errorName, detail);
      }
      if (reply.type != METHOD_RETURN) {
        throw new IOException("unexpected D-Bus message type " + reply.type);
      }
      return reply;
    }
  }

  /**
   * A method call message, little-endian. Argument types, one char each in {@code signature}: 's'
   * string, 'o' object path, 'D' string dictionary a{ss}, 'v' variant holding a string (String)
   * or a byte array (byte[]).
   */
  static byte[] encodeCall(int serial, String destination, String path, String iface,
      String member, String signature, List<Object> args) {
    Writer body = new Writer();
    StringBuilder wireSignature = new StringBuilder();
    for (int i = 0; i < signature.length(); i++) {
      Object arg = args.get(i);
      switch (signature.charAt(i)) {
        case 's', 'o' -> body.string((String) arg);
        case 'D' -> body.stringDictionary(castMap(arg));
        case 'v' -> body.variant(arg);
        default -> throw new IllegalArgumentException("unsupported argument type "
            + signature.charAt(i));
      }
      wireSignature.append(signature.charAt(i) == 'D' ? "a{ss}" : signature.charAt(i));
    }
    Writer message = new Writer();
    message.byte1((byte) 'l').byte1(METHOD_CALL).byte1((byte) 0).byte1((byte) 1);
    message.uint32(body.size()).uint32(serial);
    int fieldsLengthAt = message.reserveUint32();
    message.align(8);
    int fieldsStart = message.size();
    message.field(1, 'o', path);
    if (iface != null) {
      message.field(2, 's', iface);
    }
    message.field(3, 's', member);
    message.field(6, 's', destination);
    if (wireSignature.length() > 0) {
      message.field(8, 'g', wireSignature.toString());
    }
    message.patchUint32(fieldsLengthAt, message.size() - fieldsStart);
    message.align(8);
    message.bytes(body.toByteArray());
    return message.toByteArray();
  }

  /** Parses one whole message (fixed header, fields, body), as read off the socket. */
  static Reader parse(ByteBuffer whole) throws IOException {
    whole.order(whole.get(0) == 'B' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    long headerEnd = 16 + Integer.toUnsignedLong(whole.getInt(12));
    if (headerEnd > whole.limit()) {
      throw new IOException("D-Bus message header overruns the message");
    }
    return new Reader(whole, (int) headerEnd);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, String> castMap(Object arg) {
    return (Map<String, String>) arg;
  }

  private void authenticate() throws IOException {
    // EXTERNAL with no identity: the bus takes our uid from the socket's peer credentials.
    write("\0AUTH EXTERNAL\r\n".getBytes(StandardCharsets.US_ASCII));
    String line = readLine();
    if (line.startsWith("DATA")) {
      write("DATA\r\n".getBytes(StandardCharsets.US_ASCII));
      line = readLine();
    }
    if (!line.startsWith("OK ")) {
      throw new IOException("D-Bus authentication failed: " + line);
    }
    write("BEGIN\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private String readLine() throws IOException {
    StringBuilder line = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (line.length() < 512) {
      one.clear();
      if (channel.read(one) < 0) {
        throw new IOException("D-Bus closed the connection during authentication");
      }
      char c = (char) one.get(0);
      if (c == '\n') {
        return line.toString().strip();
      }
      line.append(c);
    }
    throw new IOException("D-Bus sent an overlong authentication line");
  }

  private void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private Reader readMessage() throws IOException {
    ByteBuffer fixed = readFully(16);
    fixed.order(fixed.get(0) == 'B' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    long bodyLength = Integer.toUnsignedLong(fixed.getInt(4));
    long fieldsLength = Integer.toUnsignedLong(fixed.getInt(12));
    long headerEnd = 16 + fieldsLength;
    long total = ((headerEnd + 7) & ~7L) + bodyLength;
    if (total > MAX_MESSAGE) {
      throw new IOException("D-Bus message of " + total + " bytes is too large");
    }
    ByteBuffer rest = readFully((int) total - 16);
    ByteBuffer whole = ByteBuffer.allocate((int) total);
    whole.put(fixed.rewind()).put(rest).flip();
    Arrays.fill(rest.array(), (byte) 0);
    return parse(whole);
  }

  private ByteBuffer readFully(int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("D-Bus closed the connection");
      }
    }
    return buffer.flip();
  }

  private static String unescape(String value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%' && i + 2 < value.length()) {
        out.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Nothing useful to do: the socket is gone either way.
    }
  }

  /** A D-Bus error reply, e.g. {@code org.freedesktop.DBus.Error.ServiceUnknown}. */
  static final class Failure extends IOException {
    private final String errorName;

    Failure(String errorName, String detail) {
      super(errorName + (detail.isEmpty() ? "" : ": " + detail));
      this.errorName = errorName;
    }

    String errorName() {
      return errorName;
    }
  }

  /** Marshals little-endian D-Bus data; alignment is relative to the start of the buffer. */
  private static final class Writer {
    private byte[] data = new byte[256];
    private int size;

    int size() {
      return size;
    }

    Writer byte1(byte b) {
      ensure(1);
      data[size++] = b;
      return this;
    }

    Writer bytes(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, data, size, bytes.length);
      size += bytes.length;
      return this;
    }

    Writer align(int boundary) {
      while (size % boundary != 0) {
        byte1((byte) 0);
      }
      return this;
    }

    Writer uint32(int value) {
      align(4);
      ensure(4);
      ByteBuffer.wrap(data, size, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(value);
      size += 4;
      return this;
    }

    int reserveUint32() {
      align(4);
      int at = size;
      uint32(0);
      return at;
    }

    void patchUint32(int at, int value) {
      ByteBuffer.wrap(data, at, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(value);
    }

    Writer string(String value) {
      byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
      uint32(utf8.length);
      bytes(utf8);
      return byte1((byte) 0);
    }

    Writer signature(String value) {
      byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
      byte1((byte) ascii.length);
      bytes(ascii);
      return byte1((byte) 0);
    }

    /** One header field: a struct of a code byte and a variant. */
    void field(int code, char type, String value) {
      align(8);
      byte1((byte) code);
      signature(String.valueOf(type));
      if (type == 'g') {
        signature(value);
      } else {
        string(value);
      }
    }

    /** A variant holding a string ({@code s}) or a byte array ({@code ay}). */
    void variant(Object value) {
      if (value instanceof byte[] bytes) {
        signature("ay");
        uint32(bytes.length);
        bytes(bytes);
      } else if (value instanceof String string) {
        signature("s");
        string(string);
      } else {
        throw new IllegalArgumentException("unsupported variant value " + value.getClass());
      }
    }

    void stringDictionary(Map<String, String> entries) {
      int lengthAt = reserveUint32();
      align(8);
      int start = size;
      entries.forEach((key, value) -> {
        align(8);
        string(key);
        string(value);
      });
      patchUint32(lengthAt, size - start);
    }

    byte[] toByteArray() {
      byte[] copy = new byte[size];
      System.arraycopy(data, 0, copy, 0, size);
      return copy;
    }

    private void ensure(int more) {
      if (size + more > data.length) {
        byte[] bigger = new byte[Math.max(data.length * 2, size + more)];
        System.arraycopy(data, 0, bigger, 0, size);
        data = bigger;
      }
    }
  }

  /** One received message: header fields parsed, positioned at the start of the body. */
  static final class Reader {
    private final ByteBuffer buffer;
    final byte type;
    int replySerial = -1;
    String errorName = "";
    String bodySignature = "";

    Reader(ByteBuffer buffer, int headerEnd) throws IOException {
      this.buffer = buffer;
      this.type = buffer.get(1);
      buffer.position(16);
      while (buffer.position() < headerEnd) {
        align(8);
        int code = buffer.get() & 0xff;
        String signature = readSignature();
        Object value = switch (signature) {
          case "s", "o" -> readString();
          case "g" -> readSignature();
          case "u" -> readUint32();
          default -> throw new IOException("unexpected D-Bus header field type " + signature);
        };
        if (code == 5) {
          replySerial = (Integer) value;
        } else if (code == 4) {
          errorName = (String) value;
        } else if (code == 8) {
          bodySignature = (String) value;
        }
      }
      align(8);
    }

    boolean readBoolean() {
      return readUint32() != 0;
    }

    int readUint32() {
      align(4);
      return buffer.getInt();
    }

    long readUint64() {
      align(8);
      return buffer.getLong();
    }

    String readString() {
      int length = readUint32();
      byte[] utf8 = new byte[length];
      buffer.get(utf8);
      buffer.get(); // the terminating nul
      return new String(utf8, StandardCharsets.UTF_8);
    }

    String readSignature() {
      int length = buffer.get() & 0xff;
      byte[] ascii = new byte[length];
      buffer.get(ascii);
      buffer.get();
      return new String(ascii, StandardCharsets.US_ASCII);
    }

    /** Reads a variant's signature; the caller then reads the value of that type. */
    String readVariantSignature() {
      return readSignature();
    }

    /** An {@code ay}; the caller zeroes it if it matters. */
    byte[] readBytes() {
      int length = readUint32();
      if (length < 0 || length > buffer.remaining()) {
        throw new IllegalStateException("D-Bus byte array of " + length
            + " bytes overruns its message");
      }
      byte[] bytes = new byte[length];
      buffer.get(bytes);
      return bytes;
    }

    /** Moves to the start of a struct (8-byte aligned). */
    void structStart() {
      align(8);
    }

    /** Overwrites the whole message, e.g. after reading a secret from it. */
    void wipe() {
      if (buffer.hasArray()) {
        Arrays.fill(buffer.array(), (byte) 0);
      }
    }

    List<String> readObjectPaths() {
      int length = readUint32();
      int end = buffer.position() + length;
      List<String> paths = new ArrayList<>();
      while (buffer.position() < end) {
        paths.add(readString());
      }
      return paths;
    }

    private void align(int boundary) {
      int position = buffer.position();
      buffer.position((position + boundary - 1) / boundary * boundary);
    }
  }
}
