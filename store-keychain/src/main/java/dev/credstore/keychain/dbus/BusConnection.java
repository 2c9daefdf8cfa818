package dev.credstore.keychain.dbus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * One connection to a D-Bus bus on a Unix socket: authentication, {@code Hello}, and method calls
 * whose replies must have the signature the caller expects. Every call carries
 * {@link Message#NO_AUTO_START}, so nothing is ever started by D-Bus activation.
 *
 * <p>Not thread-safe. A read blocks until the bus answers; callers bound every call with a timeout
 * and {@link #close()} on expiry, which unblocks it. Received bytes are zeroed once parsed.
 */
public final class BusConnection implements AutoCloseable {

  public static final String BUS_NAME = "org.freedesktop.DBus";
  public static final String BUS_PATH = "/org/freedesktop/DBus";
  public static final String PROPERTIES = "org.freedesktop.DBus.Properties";

  private final SocketChannel channel;
  private long serial;
  private String uniqueName;

  private BusConnection(SocketChannel channel) {
    this.channel = channel;
  }

  /** The socket path named by a bus address, e.g. {@code unix:path=/run/user/1000/bus}. */
  public static Path socketPath(String address) throws IOException {
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

  /** Connects, authenticates with this process's peer credentials, and says Hello. */
  public static BusConnection open(String address) throws IOException {
    Path path = socketPath(address);
    if (!Files.exists(path)) {
      throw new IOException("no D-Bus socket at " + path);
    }
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    BusConnection connection = new BusConnection(channel);
    try {
      channel.connect(UnixDomainSocketAddress.of(path));
      connection.authenticate();
      connection.uniqueName = (String) connection.call(BUS_NAME, BUS_PATH, BUS_NAME, "Hello", "",
          List.of(), "s").get(0);
      return connection;
    } catch (IOException | RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /** The name the bus gave this connection, e.g. {@code :1.42}. */
  public String uniqueName() {
    return uniqueName;
  }

  /** {@code org.freedesktop.DBus.NameHasOwner}: whether a running process owns {@code name}. */
  public boolean nameHasOwner(String name) throws IOException {
    return (Boolean) call(BUS_NAME, BUS_PATH, BUS_NAME, "NameHasOwner", "s", List.of(name), "b")
        .get(0);
  }

  /**
   * Calls a method and returns the reply's body, whose signature must be {@code replySignature}.
   *
   * @throws DBusErrorException if the peer answers with an error
   * @throws MalformedMessageException if the reply is not a valid message of that signature
   */
  public List<Object> call(String destination, String path, String iface, String member,
      String signature, List<?> args, String replySignature) throws IOException {
    long mySerial = ++serial;
    byte[] call = Message.methodCall(mySerial, destination, path, iface, member, signature, args);
    try {
      write(call);
    } finally {
      Arrays.fill(call, (byte) 0);
    }
    while (true) {
      Message reply = read();
      if (reply.replySerial() != mySerial) {
        Message.wipe(reply.body());
        continue; // signals such as NameAcquired, or replies to calls abandoned earlier
      }
      if (reply.type() == Message.ERROR) {
        Object detail = reply.signature().startsWith("s") ? reply.body().get(0) : "";
        throw new DBusErrorException(reply.errorName(), (String) detail);
      }
      if (reply.type() != Message.METHOD_RETURN) {
        throw new MalformedMessageException("D-Bus answered " + member + " with a message of"
            + " type " + reply.type());
      }
      if (!reply.signature().equals(replySignature)) {
        Message.wipe(reply.body());
        throw new MalformedMessageException("D-Bus answered " + member + " with signature '"
            + reply.signature() + "', expected '" + replySignature + "'");
      }
      return reply.body();
    }
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
      throw new IOException("D-Bus authentication failed: " + printable(line));
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
      char c = (char) (one.get(0) & 0xff);
      if (c == '\n') {
        return line.toString().strip();
      }
      line.append(c);
    }
    throw new IOException("D-Bus sent an overlong authentication line");
  }

  private static String printable(String line) {
    return line.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private void write(byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private Message read() throws IOException {
    byte[] fixed = new byte[Message.FIXED_HEADER];
    readFully(fixed, 0, fixed.length);
    byte[] whole = new byte[Message.frameLength(fixed)];
    System.arraycopy(fixed, 0, whole, 0, fixed.length);
    try {
      readFully(whole, fixed.length, whole.length - fixed.length);
      return Message.parse(whole);
    } finally {
      Arrays.fill(whole, (byte) 0);
    }
  }

  private void readFully(byte[] into, int offset, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(into, offset, length);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer) < 0) {
        throw new IOException("D-Bus closed the connection");
      }
    }
  }

  private static String unescape(String value) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '%') {
        if (i + 2 >= value.length()) {
          throw new IOException("malformed escape in D-Bus address");
        }
        try {
          out.write(Integer.parseInt(value.substring(i + 1, i + 3), 16));
        } catch (NumberFormatException e) {
          throw new IOException("malformed escape in D-Bus address", e);
        }
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
}
