package dev.credstore.keychain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.keychain.dbus.Message;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault injection at the socket: a bus that answers the probe correctly and then sends a broken
 * reply to the store's search. Every such reply must end the call with a clean
 * BackendUnavailableException within the call's budget, without allocating what a length field
 * claims; a correct big-endian bus must work. The peer is scripted because no real bus sends
 * these bytes.
 */
class MisbehavingBusTest {

  private static final Duration BUDGET = Duration.ofMillis(1500);

  @TempDir Path directory;
  private ServerSocketChannel server;
  private final List<SocketChannel> open = new ArrayList<>();

  @AfterEach
  void stop() throws IOException {
    if (server != null) {
      server.close();
    }
    synchronized (open) {
      for (SocketChannel c : open) {
        c.close();
      }
    }
  }

  @Test
  void searchReply_declaringA2GiBString_isRefusedAtOnce() throws Exception {
    String message = failedGet(serial -> {
      byte[] reply = Message.methodReturn(ByteOrder.LITTLE_ENDIAN, 100, serial, ":1.1", "ao",
          List.of(List.of("/org/freedesktop/secrets/collection/login/1")));
      // The body: array length, then the path's length, patched to 2^31 - 1.
      ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).putInt(reply.length - 48, 0x7fffffff);
      return reply;
    });
    assertTrue(message.contains("malformed") && message.contains("overruns"), message);
  }

  @Test
  void reply_whoseHeaderClaims2GiB_isRefusedBeforeReadingIt() throws Exception {
    String message = failedGet(serial -> {
      byte[] reply = Message.methodReturn(ByteOrder.LITTLE_ENDIAN, 100, serial, ":1.1", "ao",
          List.of(List.of()));
      ByteBuffer.wrap(reply).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0x7fffffff);
      return reply;
    });
    assertTrue(message.contains("larger than the limit"), message);
  }

  @Test
  void reply_withAnotherSignature_isRefused() throws Exception {
    String message = failedGet(serial -> Message.methodReturn(ByteOrder.LITTLE_ENDIAN, 100,
        serial, ":1.1", "s", List.of("not a list of paths")));
    assertTrue(message.contains("signature 's', expected 'ao'"), message);
  }

  @Test
  void reply_ofProtocolVersion2_isRefused() throws Exception {
    String message = failedGet(serial -> {
      byte[] reply = Message.methodReturn(ByteOrder.LITTLE_ENDIAN, 100, serial, ":1.1", "ao",
          List.of(List.of()));
      reply[3] = 2;
      return reply;
    });
    assertTrue(message.contains("version 2"), message);
  }

  @Test
  void reply_truncated_thenSilence_endsWithinTheBudget() throws Exception {
    long start = System.nanoTime();
    String message = failedGet(serial -> {
      byte[] reply = Message.methodReturn(ByteOrder.LITTLE_ENDIAN, 100, serial, ":1.1", "ao",
          List.of(List.of("/org/freedesktop/secrets/collection/login/1")));
      return Arrays.copyOf(reply, reply.length / 2); // and then nothing more
    });
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(message.contains("did not answer within"), message);
    assertTrue(ms < BUDGET.toMillis() * 3, "took " + ms + " ms");
  }

  @Test
  void aCorrectBigEndianBus_isUnderstood() throws Exception {
    Probe probe = new KeychainStoreProvider("Linux").probe(options(startBus(serial ->
        Message.methodReturn(ByteOrder.BIG_ENDIAN, 100, serial, ":1.1", "ao", List.of(List.of())),
        ByteOrder.BIG_ENDIAN)));
    assertEquals(Probe.State.READY, probe.state(), probe.reason());
    try (CredentialStore store = probe.open(new KeychainStoreProvider("Linux"), lastOptions)) {
      assertTrue(store.get(CredentialId.of("k6")).isEmpty());
    }
  }

  private StoreOptions lastOptions;

  /** Opens a store on a bus whose search reply is {@code searchReply}; returns get's message. */
  private String failedGet(Function<Long, byte[]> searchReply) throws Exception {
    Probe probe = new KeychainStoreProvider("Linux").probe(options(
        startBus(searchReply, ByteOrder.LITTLE_ENDIAN)));
    assertEquals(Probe.State.READY, probe.state(), probe.reason());
    Runtime runtime = Runtime.getRuntime();
    long usedBefore = runtime.totalMemory() - runtime.freeMemory();
    try (CredentialStore store = probe.open(new KeychainStoreProvider("Linux"), lastOptions)) {
      BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
          () -> store.get(CredentialId.of("k6")));
      long grown = runtime.totalMemory() - runtime.freeMemory() - usedBefore;
      assertTrue(grown < 256L << 20, "memory grew by " + (grown >> 20) + " MiB");
      return e.getMessage();
    }
  }

  private StoreOptions options(String address) {
    lastOptions = StoreOptions.builder().dataDirectory(directory.resolve("data"))
        .operationTimeout(BUDGET)
        .environment(Map.of(KeychainStoreProvider.BUS_VARIABLE, address)).build();
    return lastOptions;
  }

  /**
   * A bus that authenticates anyone, answers Hello, NameHasOwner and the Locked property
   * correctly (in {@code order}), and answers SearchItems with {@code searchReply}.
   */
  private String startBus(Function<Long, byte[]> searchReply, ByteOrder order) throws IOException {
    Path socket = directory.resolve("bus");
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread peer = new Thread(() -> {
      try {
        while (true) {
          SocketChannel c = server.accept();
          synchronized (open) {
            open.add(c);
          }
          Thread one = new Thread(() -> serve(c, searchReply, order), "misbehaving-bus-conn");
          one.setDaemon(true);
          one.start();
        }
      } catch (IOException closed) {
        // the test is over
      }
    }, "misbehaving-bus");
    peer.setDaemon(true);
    peer.start();
    return "unix:path=" + socket;
  }

  private static void serve(SocketChannel c, Function<Long, byte[]> searchReply, ByteOrder order) {
    try {
      readLine(c); // \0AUTH EXTERNAL
      write(c, "OK 0123456789abcdef0123456789abcdef\r\n".getBytes(StandardCharsets.US_ASCII));
      readLine(c); // BEGIN
      while (true) {
        byte[] fixed = read(c, 16);
        byte[] whole = Arrays.copyOf(fixed, Message.frameLength(fixed));
        System.arraycopy(read(c, whole.length - 16), 0, whole, 16, whole.length - 16);
        Message call = Message.parse(whole);
        long serial = call.serial();
        byte[] reply = switch (call.member()) {
          case "Hello" -> Message.methodReturn(order, 1, serial, ":1.1", "s", List.of(":1.1"));
          case "NameHasOwner" -> Message.methodReturn(order, 2, serial, ":1.1", "b",
              List.of(true));
          case "Get" -> Message.methodReturn(order, 3, serial, ":1.1", "v",
              List.of(new dev.credstore.keychain.dbus.Variant("b", false)));
          case "SearchItems" -> searchReply.apply(serial);
          default -> Message.error(order, 4, serial, "org.freedesktop.DBus.Error.UnknownMethod",
              ":1.1", "not here");
        };
        write(c, reply);
      }
    } catch (IOException | RuntimeException e) {
      // the client went away, or the test is over
    }
  }

  private static String readLine(SocketChannel c) throws IOException {
    StringBuilder line = new StringBuilder();
    ByteBuffer one = ByteBuffer.allocate(1);
    while (true) {
      one.clear();
      if (c.read(one) < 0) {
        throw new IOException("closed");
      }
      if (one.get(0) == '\n') {
        return line.toString();
      }
      line.append((char) one.get(0));
    }
  }

  private static byte[] read(SocketChannel c, int length) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(length);
    while (buffer.hasRemaining()) {
      if (c.read(buffer) < 0) {
        throw new IOException("closed");
      }
    }
    return buffer.array();
  }

  private static void write(SocketChannel c, byte[] bytes) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    while (buffer.hasRemaining()) {
      c.write(buffer);
    }
  }
}
