package dev.credstore.file.unlock;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.Arrays;
import java.util.Objects;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The agent behind {@code credstore unlock}: a process of its own that holds one store's data key
 * in memory until its time is up, then zeroes it, removes its socket and exits. Started by
 * {@link UnlockCache#hold} (through the file store's {@code UnlockAgentMain}, which supplies the
 * {@link Opener}), which passes the socket path and the end (epoch milliseconds, fixed before this
 * JVM started, so a slow start does not lengthen the unlock) as arguments and the binding and the
 * key on standard input (a pipe: never argv, environment or a file). It answers only peers whose
 * uid (SO_PEERCRED) is its own, and only for the binding it holds: with the key, or with the
 * payload of a store file of that binding, which it decrypts itself (a reading client then needs
 * no JDK crypto at all). It also exits when its socket is removed or replaced, or on {@code lock}.
 */
public final class UnlockAgent {

  static final String READY = "ready";
  // A client that connects and says nothing is cut off after this, so it cannot hold the agent.
  private static final long REQUEST_TIMEOUT_MILLIS = 2_000;
  private static final long SOCKET_CHECK_MILLIS = 1_000;

  private final Path socket;
  private final long expiresAtMillis;
  private final long deadlineNanos;
  private final byte[] binding;
  private final byte[] key;
  private final UserPrincipal owner;
  private final Opener opener;
  private volatile Object socketKey;
  private volatile boolean done;

  private UnlockAgent(Path socket, long expiresAtMillis, byte[] binding, byte[] key,
      UserPrincipal owner, Opener opener) {
    this.socket = socket;
    this.expiresAtMillis = expiresAtMillis;
    // From here on the monotonic clock: setting the wall clock back does not lengthen the unlock.
    this.deadlineNanos = System.nanoTime()
        + Math.max(0, expiresAtMillis - System.currentTimeMillis()) * 1_000_000L;
    this.binding = binding;
    this.key = key;
    this.owner = owner;
    this.opener = opener;
  }

  /**
   * What the agent asks of the store format for {@link Wire#OPEN}: the payload of {@code file}
   * decrypted with {@code key}, provided the file is sound and its path and key section give
   * {@code binding}; else null. The caller zeroes the result.
   */
  public interface Opener {
    byte[] open(Path storeFile, byte[] file, byte[] key, byte[] binding);

    /** Sets up what {@link #open} needs, so that the first command after unlock need not wait. */
    default void prepare() {}
  }

  /** The agent process's whole life; {@code args} are the socket path and the end. */
  public static void run(String[] args, Opener opener) {
    if (args.length != 2) {
      System.exit(2);
    }
    ignoreHangUp();
    Path socket = Path.of(args[0]);
    long expiresAtMillis = Long.parseLong(args[1]);
    byte[] input = new byte[Wire.BINDING_BYTES + Wire.KEY_BYTES];
    try {
      readInput(System.in, input);
      byte[] binding = Arrays.copyOf(input, Wire.BINDING_BYTES);
      byte[] key = Arrays.copyOfRange(input, Wire.BINDING_BYTES, input.length);
      // The directory was made and checked by the client; its owner is the only peer we serve.
      UserPrincipal owner = Files.getOwner(socket.getParent(), LinkOption.NOFOLLOW_LINKS);
      new UnlockAgent(socket, expiresAtMillis, binding, key, owner, opener).serve();
    } catch (IOException | RuntimeException e) {
      System.exit(3);
    } finally {
      Arrays.fill(input, (byte) 0);
    }
    System.exit(0);
  }

  private void serve() throws IOException {
    Files.deleteIfExists(socket); // a stale socket of a dead agent; the directory is ours
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      socketKey = Files.readAttributes(socket, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).fileKey();
      Thread watch = new Thread(() -> watch(server), "credstore-agent-expiry");
      watch.setDaemon(true);
      watch.start();
      PrintStream out = System.out;
      out.println(READY);
      out.flush();
      out.close();
      Thread prepare = new Thread(opener::prepare, "credstore-agent-prepare");
      prepare.setDaemon(true);
      prepare.start();
      while (!done) {
        SocketChannel client;
        try {
          client = server.accept();
        } catch (IOException closed) {
          break; // the watcher closed the server: time is up
        }
        Thread handler = new Thread(() -> answer(client), "credstore-agent-client");
        handler.setDaemon(true);
        handler.start();
      }
    } finally {
      finish();
    }
  }

  /** Closes the server when time is up or the socket is no longer the one we bound. */
  private void watch(ServerSocketChannel server) {
    try {
      while (!done) {
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0 || !stillOurs()) {
          break;
        }
        Thread.sleep(Math.min(SOCKET_CHECK_MILLIS, left / 1_000_000L + 1));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    done = true;
    try {
      server.close();
    } catch (IOException ignored) {
      // Closing to stop accepting; the process exits next.
    }
  }

  private boolean stillOurs() {
    if (socketKey == null) {
      return false;
    }
    try {
      Object now = Files.readAttributes(socket, BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS).fileKey();
      return Objects.equals(now, socketKey);
    } catch (IOException gone) {
      return false;
    }
  }

  private void answer(SocketChannel client) {
    Thread cutOff = Wire.closeAfter(client, REQUEST_TIMEOUT_MILLIS, "credstore-agent-timeout");
    try (client) {
      UnixDomainPrincipal peer = client.getOption(ExtendedSocketOptions.SO_PEERCRED);
      if (!owner.equals(peer.user())) {
        return; // another user: no answer at all
      }
      ByteBuffer op = ByteBuffer.allocate(1);
      if (!Wire.readFully(client, op)) {
        return;
      }
      switch (op.get()) {
        case Wire.GET -> get(client);
        case Wire.OPEN -> open(client);
        case Wire.STATUS -> status(client);
        case Wire.LOCK -> lock(client);
        default -> { }
      }
    } catch (IOException | RuntimeException e) {
      // A client that went away or timed out: nothing to tell anyone.
    } finally {
      cutOff.interrupt();
    }
  }

  private void get(SocketChannel client) throws IOException {
    ByteBuffer asked = ByteBuffer.allocate(Wire.BINDING_BYTES);
    if (!Wire.readFully(client, asked)) {
      return;
    }
    ByteBuffer reply;
    synchronized (this) {
      boolean match = !done && System.nanoTime() < deadlineNanos
          && java.security.MessageDigest.isEqual(asked.array(), binding);
      if (!match) {
        reply = ByteBuffer.wrap(new byte[] {Wire.NO});
      } else {
        reply = ByteBuffer.allocate(1 + 8 + Wire.KEY_BYTES);
        reply.put(Wire.KEY).putLong(expiresAtMillis).put(key).flip();
      }
    }
    try {
      Wire.writeFully(client, reply);
    } finally {
      if (reply.hasArray()) {
        Arrays.fill(reply.array(), (byte) 0);
      }
    }
  }

  private void open(SocketChannel client) throws IOException {
    ByteBuffer pathLength = ByteBuffer.allocate(2);
    if (!Wire.readFully(client, pathLength)) {
      return;
    }
    int pathBytes = Short.toUnsignedInt(pathLength.getShort());
    if (pathBytes == 0 || pathBytes > Wire.MAX_PATH_BYTES) {
      return;
    }
    ByteBuffer path = ByteBuffer.allocate(pathBytes);
    ByteBuffer fileLength = ByteBuffer.allocate(4);
    if (!Wire.readFully(client, path) || !Wire.readFully(client, fileLength)) {
      return;
    }
    int fileBytes = fileLength.getInt();
    if (fileBytes <= 0 || fileBytes > Wire.MAX_OPEN_BYTES) {
      return;
    }
    ByteBuffer file = ByteBuffer.allocate(fileBytes);
    if (!Wire.readFully(client, file)) {
      return;
    }
    byte[] heldKey;
    byte[] heldBinding;
    synchronized (this) {
      if (done || System.nanoTime() >= deadlineNanos) {
        Wire.writeFully(client, ByteBuffer.wrap(new byte[] {Wire.NO}));
        return;
      }
      heldKey = key.clone();
      heldBinding = binding.clone();
    }
    byte[] payload = null;
    ByteBuffer reply = null;
    try {
      payload = opener.open(Path.of(new String(path.array(), StandardCharsets.UTF_8)),
          file.array(), heldKey, heldBinding);
      if (payload == null) {
        reply = ByteBuffer.wrap(new byte[] {Wire.NO});
      } else {
        reply = ByteBuffer.allocate(1 + 8 + Wire.KEY_BYTES + 4 + payload.length);
        reply.put(Wire.OPENED).putLong(expiresAtMillis).put(heldKey).putInt(payload.length)
            .put(payload).flip();
      }
      Wire.writeFully(client, reply);
    } finally {
      Arrays.fill(heldKey, (byte) 0);
      Arrays.fill(heldBinding, (byte) 0);
      if (payload != null) {
        Arrays.fill(payload, (byte) 0);
      }
      if (reply != null) {
        Arrays.fill(reply.array(), (byte) 0);
      }
    }
  }

  private void status(SocketChannel client) throws IOException {
    ByteBuffer reply = ByteBuffer.allocate(1 + 8 + Wire.BINDING_BYTES);
    reply.put(Wire.HELD).putLong(expiresAtMillis).put(binding).flip();
    Wire.writeFully(client, reply);
  }

  private void lock(SocketChannel client) throws IOException {
    finish();
    try {
      Wire.writeFully(client, ByteBuffer.wrap(new byte[] {Wire.DONE}));
    } finally {
      System.exit(0);
    }
  }

  /** Zeroes the key and removes our socket (unless another agent has replaced it). */
  private synchronized void finish() {
    done = true;
    Arrays.fill(key, (byte) 0);
    Arrays.fill(binding, (byte) 0);
    try {
      if (stillOurs()) {
        Files.delete(socket);
      }
    } catch (IOException ignored) {
      // Left behind: a client finds nobody listening and treats the store as locked.
    }
  }

  private static void readInput(InputStream in, byte[] into) throws IOException {
    int read = 0;
    while (read < into.length) {
      int n = in.read(into, read, into.length - read);
      if (n < 0) {
        throw new IOException("short input");
      }
      read += n;
    }
    in.close();
  }

  // The terminal that ran `credstore unlock` may hang up long before our time is up.
  private static void ignoreHangUp() {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object ignore = handlerClass.getField("SIG_IGN").get(null);
      for (String name : new String[] {"HUP", "INT"}) {
        Object signal = signalClass.getConstructor(String.class).newInstance(name);
        signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, ignore);
      }
    } catch (ReflectiveOperationException | RuntimeException | LinkageError unsupported) {
      // -Xrs or no jdk.unsupported: the agent then ends with its terminal.
    }
  }
}
