package dev.credstore.keychain.dbus;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A session bus with a Secret Service that holds one item, on a Unix socket of the caller's, for
 * a launcher's class-data-sharing training run only: credstore's keychain commands run against it
 * end to end (probe, search, attributes, encrypted session, secret), so the archive holds every
 * class a real keychain {@code get} loads. It answers exactly the calls credstore makes; anything
 * else is an error reply. Never used against a real bus, never holds a real secret.
 */
public final class TrainingBus implements AutoCloseable {

  private static final String ITEM = "/org/freedesktop/secrets/collection/login/1";
  private static final String SESSION = "/org/freedesktop/secrets/session/s1";

  private final ServerSocketChannel server;
  private final Map<String, String> attributes;
  private final byte[] secret;

  private TrainingBus(ServerSocketChannel server, Map<String, String> attributes, byte[] secret) {
    this.server = server;
    this.attributes = Map.copyOf(attributes);
    this.secret = secret.clone();
  }

  /** Serves on {@code socket} (which must not exist) until closed. */
  public static TrainingBus serve(Path socket, Map<String, String> attributes, byte[] secret)
      throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    TrainingBus bus = new TrainingBus(server, attributes, secret);
    Thread acceptor = new Thread(bus::accept, "credstore-training-bus");
    acceptor.setDaemon(true);
    acceptor.start();
    return bus;
  }

  private void accept() {
    try {
      while (true) {
        SocketChannel connection = server.accept();
        Thread one = new Thread(() -> serve(connection), "credstore-training-bus-connection");
        one.setDaemon(true);
        one.start();
      }
    } catch (IOException closed) {
      // Training is over.
    }
  }

  private void serve(SocketChannel connection) {
    SecretTransfer session = null;
    try (connection) {
      readLine(connection);
      write(connection, "OK 0123456789abcdef0123456789abcdef\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      readLine(connection);
      long serial = 0;
      while (true) {
        byte[] fixed = read(connection, Message.FIXED_HEADER);
        byte[] whole = Arrays.copyOf(fixed, Message.frameLength(fixed));
        System.arraycopy(read(connection, whole.length - fixed.length), 0, whole, fixed.length,
            whole.length - fixed.length);
        Message call = Message.parse(whole);
        long to = call.serial();
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        byte[] reply;
        switch (call.member()) {
          case "Hello" -> reply = Message.methodReturn(order, ++serial, to, ":1.1", "s",
              List.of(":1.1"));
          case "NameHasOwner" -> reply = Message.methodReturn(order, ++serial, to, ":1.1", "b",
              List.of(true));
          case "Get" -> {
            Object value = switch ((String) call.body().get(1)) {
              case "Locked" -> new Variant("b", false);
              case "Attributes" -> new Variant("a{ss}", attributes);
              default -> new Variant("t", 1_700_000_000L);
            };
            reply = Message.methodReturn(order, ++serial, to, ":1.1", "v", List.of(value));
          }
          case "SearchItems" -> {
            @SuppressWarnings("unchecked")
            Map<String, String> wanted = (Map<String, String>) call.body().get(0);
            boolean match = attributes.entrySet().containsAll(wanted.entrySet());
            reply = Message.methodReturn(order, ++serial, to, ":1.1", "ao",
                List.of(match ? List.of(ITEM) : List.of()));
          }
          case "OpenSession" -> {
            session = SecretTransfer.start();
            session.agree((byte[]) ((Variant) call.body().get(1)).value());
            reply = Message.methodReturn(order, ++serial, to, ":1.1", "vo",
                List.of(new Variant("ay", session.publicKey()), SESSION));
          }
          case "GetSecret" -> {
            byte[] iv = new byte[16];
            reply = Message.methodReturn(order, ++serial, to, ":1.1", "(oayays)",
                List.of(List.of(SESSION, iv, session.encrypt(iv, secret), "text/plain")));
          }
          default -> reply = Message.error(order, ++serial, to,
              "org.freedesktop.DBus.Error.UnknownMethod", ":1.1", "not in training");
        }
        write(connection, reply);
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      // The client hung up, or training is over.
    } finally {
      if (session != null) {
        session.close();
      }
    }
  }

  private static void readLine(SocketChannel connection) throws IOException {
    ByteBuffer one = ByteBuffer.allocate(1);
    for (int i = 0; i < 512; i++) {
      one.clear();
      if (connection.read(one) < 0) {
        throw new IOException("closed");
      }
      if (one.get(0) == '\n') {
        return;
      }
    }
    throw new IOException("overlong line");
  }

  private static byte[] read(SocketChannel connection, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (connection.read(buffer) < 0) {
        throw new IOException("closed");
      }
    }
    return buffer.array();
  }

  private static void write(SocketChannel connection, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      connection.write(buffer);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    Arrays.fill(secret, (byte) 0);
  }
}
