package dev.credstore.file.unlock;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.StorageException;
import dev.credstore.api.UnlockStatus;
import dev.credstore.spi.PrivacyVerdict;
import dev.credstore.spi.PrivateFiles;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The client side of the unlock cache for one store file: finds, asks, starts and stops that
 * store's {@link UnlockAgent}. The agent listens on {@code <runtime>/credstore/<hash of the store's
 * path>.sock}, where {@code <runtime>} is {@code $XDG_RUNTIME_DIR}, else {@code /run/user/<uid>},
 * and must be a directory of ours closed to everyone else. Every read fails closed: anything
 * unexpected (no agent, a foreign or stuck one, another binding) reads as "nothing held".
 *
 * <p>Why an agent and not the kernel's key retention service: from Java 17 the keyring is reached
 * only through JNA, whose start-up alone takes ~46 ms per process on a quiet machine here
 * (bench/README.md), and a key fetched from it would still have to be used by each command, with
 * the JDK crypto's set-up; the agent costs one round trip and decrypts itself ({@link #open}).
 */
public final class UnlockCache {

  /** {@code off} turns the cache off: unlock then fails, and nothing ever consults an agent. */
  public static final String SWITCH_VARIABLE = "CREDSTORE_UNLOCK";
  public static final int BINDING_BYTES = Wire.BINDING_BYTES;

  private static final long ANSWER_TIMEOUT_MILLIS = 2_000;
  private static final int MAX_SOCKET_PATH = 107; // sun_path holds 108 bytes with the NUL

  private final Path directory; // null when unavailable
  private final Path socket;
  private final String unavailable; // why, or null

  private UnlockCache(Path directory, Path socket, String unavailable) {
    this.directory = directory;
    this.socket = socket;
    this.unavailable = unavailable;
  }

  /** The cache of {@code storeFile} (absolute, normalised) for the user whose environment this is. */
  public static UnlockCache forStore(Path storeFile, Map<String, String> environment) {
    if ("off".equals(environment.get(SWITCH_VARIABLE))) {
      return unavailable("the unlock cache is turned off (" + SWITCH_VARIABLE + "=off)");
    }
    if (!System.getProperty("os.name", "").startsWith("Linux")) {
      return unavailable("the unlock cache is for Linux; use the keychain backend here");
    }
    Path runtime;
    String configured = environment.get("XDG_RUNTIME_DIR");
    long uid;
    try {
      uid = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    } catch (IOException | RuntimeException e) {
      return unavailable("cannot tell this process's uid from /proc/self");
    }
    if (configured != null && !configured.isEmpty()) {
      runtime = Path.of(configured);
      if (!runtime.isAbsolute()) {
        return unavailable("XDG_RUNTIME_DIR (" + configured + ") is not an absolute path");
      }
    } else {
      runtime = Path.of("/run/user/" + uid);
      if (!Files.isDirectory(runtime, LinkOption.NOFOLLOW_LINKS)) {
        return unavailable("no private runtime directory: XDG_RUNTIME_DIR is unset and " + runtime
            + " does not exist (a login session or `loginctl enable-linger` makes it)");
      }
    }
    Path directory = runtime.resolve("credstore");
    Path socket = directory.resolve(socketName(storeFile));
    if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      prepareSocketsInBackground(); // before the checks: it connects to nothing
    }
    PrivacyVerdict verdict = PrivateFiles.checkDirectory(runtime);
    if (!verdict.isPrivate()) {
      return unavailable("the runtime directory is not private: " + verdict.message());
    }
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
      return unavailable("the socket path " + socket + " is longer than a Unix socket allows");
    }
    return new UnlockCache(directory, socket, null);
  }

  /**
   * The JDK's first Unix socket sets up, for socket names, a SecureRandom and with it the security
   * providers: ~7 ms in a cold JVM. With an agent listening, this does that on another core while
   * the store's files are checked and read. Connects to nothing.
   */
  private static void prepareSocketsInBackground() {
    Thread thread = new Thread(() -> {
      try {
        SocketChannel.open(StandardProtocolFamily.UNIX).close();
      } catch (IOException | RuntimeException e) {
        // Only a head start: the real connect meets and handles the same problem.
      }
    }, "credstore-socket-prepare");
    thread.setDaemon(true);
    thread.start();
  }

  private static UnlockCache unavailable(String reason) {
    return new UnlockCache(null, null, reason);
  }

  /** Why no cache can work here, or null if it can. */
  public String unavailableReason() {
    return unavailable;
  }

  /**
   * What ties a held key to one store as it is now: a SHA-256 of the store file's path and of its
   * key section (KDF parameters, salt, wrapped data key), which a passphrase change or a new data
   * key replaces.
   */
  public static byte[] binding(Path storeFile, byte[] keySection) {
    MessageDigest digest = sha256();
    digest.update("credstore unlock binding v1\0".getBytes(StandardCharsets.US_ASCII));
    digest.update(storeFile.toString().getBytes(StandardCharsets.UTF_8));
    digest.update((byte) 0);
    digest.update(keySection);
    return digest.digest();
  }

  /**
   * The data key held for {@code binding}, which the caller zeroes; null when none is (or anything
   * at all goes wrong: the caller then asks for the passphrase as usual).
   */
  public byte[] dataKey(byte[] binding) {
    if (socket == null || !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    ByteBuffer request = ByteBuffer.allocate(1 + Wire.BINDING_BYTES);
    request.put(Wire.GET).put(binding).flip();
    ByteBuffer reply = ByteBuffer.allocate(1 + 8 + Wire.KEY_BYTES);
    try {
      if (!ask(request, reply) || reply.get() != Wire.KEY) {
        return null;
      }
      if (reply.getLong() <= System.currentTimeMillis()) {
        return null; // its time is up, whatever it says
      }
      byte[] key = new byte[Wire.KEY_BYTES];
      reply.get(key);
      return key;
    } catch (RuntimeException e) {
      return null;
    } finally {
      Arrays.fill(reply.array(), (byte) 0);
    }
  }

  /** A store file opened by its agent: the data key and the payload, both the caller's to zero. */
  public static final class Opened {
    private final byte[] dataKey;
    private final byte[] payload;

    private Opened(byte[] dataKey, byte[] payload) {
      this.dataKey = dataKey;
      this.payload = payload;
    }

    public byte[] dataKey() {
      return dataKey;
    }

    public byte[] payload() {
      return payload;
    }
  }

  /**
   * {@code file}, the bytes of the store at {@code storeFile} (absolute, normalised), opened by the
   * agent that holds its key: the agent checks them as the format does and decrypts the payload, so
   * this process needs no JDK crypto to read. Null when no agent holds this store's key as the file
   * now is, when the file is too large to send, or when anything at all goes wrong: the caller then
   * reads the file itself.
   */
  public Opened open(Path storeFile, byte[] file) {
    if (socket == null || file.length > Wire.MAX_OPEN_BYTES
        || !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return null;
    }
    byte[] path = storeFile.toString().getBytes(StandardCharsets.UTF_8);
    if (path.length > Wire.MAX_PATH_BYTES) {
      return null;
    }
    ByteBuffer request = ByteBuffer.allocate(1 + 2 + path.length + 4 + file.length);
    request.put(Wire.OPEN).putShort((short) path.length).put(path).putInt(file.length).put(file)
        .flip();
    return exchange(request, UnlockCache::readOpened);
  }

  /** The rest of an {@link Wire#OPEN} answer, or null if it is not one (still valid). */
  private static Opened readOpened(SocketChannel channel) throws IOException {
    ByteBuffer head = ByteBuffer.allocate(1 + 8 + Wire.KEY_BYTES + 4);
    try {
      if (!Wire.readFully(channel, head) || head.get() != Wire.OPENED
          || head.getLong() <= System.currentTimeMillis()) {
        return null;
      }
      byte[] key = new byte[Wire.KEY_BYTES];
      head.get(key);
      int length = head.getInt();
      ByteBuffer payload = length < 0 || length > Wire.MAX_OPEN_BYTES ? null
          : ByteBuffer.allocate(length);
      if (payload == null || !Wire.readFully(channel, payload)) {
        Arrays.fill(key, (byte) 0);
        if (payload != null) {
          Arrays.fill(payload.array(), (byte) 0);
        }
        return null;
      }
      return new Opened(key, payload.array());
    } finally {
      Arrays.fill(head.array(), (byte) 0);
    }
  }

  /**
   * Starts an agent holding {@code dataKey} for {@code binding} for {@code duration}, replacing any
   * agent of this store. Returns when it ends.
   *
   * @throws BackendUnavailableException if no cache can work here
   * @throws StorageException if the agent could not be started
   */
  public Instant hold(byte[] binding, byte[] dataKey, Duration duration)
      throws BackendUnavailableException, StorageException {
    if (unavailable != null) {
      throw new BackendUnavailableException("cannot unlock: " + unavailable);
    }
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("unlock duration must be positive");
    }
    ensureDirectory();
    forget();
    Process agent = AgentProcess.start(socket, binding, dataKey, duration);
    Instant until = heldUntil(binding);
    if (until == null) {
      agent.destroy();
      throw new StorageException("the unlock agent started but does not answer on " + socket);
    }
    return until;
  }

  /** Makes this store's agent forget its key and exit; returns whether one was running. */
  public boolean forget() {
    if (socket == null || !Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    ByteBuffer reply = ByteBuffer.allocate(1);
    boolean told = ask(ByteBuffer.wrap(new byte[] {Wire.LOCK}), reply) && reply.get() == Wire.DONE;
    if (!told) {
      try {
        Files.deleteIfExists(socket); // nobody answers on it: a dead agent's leftover
      } catch (IOException ignored) {
        // Harmless: a client that finds nobody listening reads "locked".
      }
    }
    return told;
  }

  /** Whether a key for {@code binding} (null: the store does not exist) is held, and until when. */
  public UnlockStatus status(byte[] binding) {
    if (unavailable != null) {
      return new UnlockStatus(UnlockStatus.State.UNAVAILABLE, null, unavailable);
    }
    ByteBuffer reply = ByteBuffer.allocate(1 + 8 + Wire.BINDING_BYTES);
    if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)
        || !ask(ByteBuffer.wrap(new byte[] {Wire.STATUS}), reply) || reply.get() != Wire.HELD) {
      return new UnlockStatus(UnlockStatus.State.LOCKED, null, "locked");
    }
    Instant until = Instant.ofEpochMilli(reply.getLong());
    byte[] held = new byte[Wire.BINDING_BYTES];
    reply.get(held);
    if (!until.isAfter(Instant.now())) {
      return new UnlockStatus(UnlockStatus.State.LOCKED, null, "locked (the unlock has ended)");
    }
    if (binding == null || !MessageDigest.isEqual(held, binding)) {
      return new UnlockStatus(UnlockStatus.State.LOCKED, null, "locked (the agent on " + socket
          + " holds a key of this store from before its passphrase or data key changed; it no"
          + " longer opens it and ends by " + until + ")");
    }
    return new UnlockStatus(UnlockStatus.State.UNLOCKED, until, "unlocked until " + until
        + " (agent on " + socket + ")");
  }

  private Instant heldUntil(byte[] binding) {
    UnlockStatus status = status(binding);
    return status.state() == UnlockStatus.State.UNLOCKED ? status.until() : null;
  }

  /**
   * Sends {@code request} and reads a full {@code reply} (flipped for reading); false on any
   * failure, including an agent that is not ours or does not answer within two seconds.
   */
  private boolean ask(ByteBuffer request, ByteBuffer reply) {
    return exchange(request, channel -> Wire.readFully(channel, reply) ? reply : null) != null;
  }

  /** How the rest of an answer is read: null when it is not the one hoped for. */
  private interface Answer<T> {
    T read(SocketChannel channel) throws IOException;
  }

  /** Sends {@code request} to our agent and reads its answer; null on any failure. */
  private <T> T exchange(ByteBuffer request, Answer<T> answer) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      // A stopped or wedged agent must not hang the command.
      Thread cutOff = Wire.closeAfter(channel, ANSWER_TIMEOUT_MILLIS, "credstore-unlock-timeout");
      try {
        if (!connectToOurs(channel)) {
          return null;
        }
        Wire.writeFully(channel, request);
        return answer.read(channel);
      } finally {
        cutOff.interrupt();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Connects {@code channel} to the agent's socket; false if the peer is not of our uid. */
  private boolean connectToOurs(SocketChannel channel) throws IOException {
    channel.connect(UnixDomainSocketAddress.of(socket));
    UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
    UserPrincipal owner = Files.getOwner(directory, LinkOption.NOFOLLOW_LINKS);
    return owner.equals(peer.user());
  }

  private void ensureDirectory() throws StorageException {
    PrivateFiles.ensureDirectory(directory);
  }

  /**
   * A name for the store's socket: a 64-bit FNV-1a of its path and the path's length. Not a
   * digest: every request is checked against the agent's full binding, so two paths that shared a
   * name could only take turns at one socket, never open each other. Not SHA-256 either, whose
   * provider set-up (~7 ms) would be the only JDK crypto left on an unlocked read's path.
   */
  static String socketName(Path storeFile) {
    byte[] path = storeFile.toString().getBytes(StandardCharsets.UTF_8);
    long hash = 0xcbf29ce484222325L;
    for (byte b : path) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    String hex = Long.toHexString(hash);
    return "0".repeat(16 - hex.length()) + hex + "-" + path.length + ".sock";
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
