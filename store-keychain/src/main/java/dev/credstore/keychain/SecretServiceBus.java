package dev.credstore.keychain;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The Secret Service over {@link DBusWire}: is a service running, is the default collection locked
 * (asked without unlocking, so no prompt appears), which items match an id (to repair duplicates),
 * when an item was created, and reading a secret. Reading here rather than through java-keyring
 * saves its ~1 s of dbus-java set-up on every {@code get}; writes still go through java-keyring.
 * Secrets travel encrypted ({@link SecretTransfer}) unless the service only offers {@code plain}.
 * Not thread-safe; used from one worker thread at a time.
 */
final class SecretServiceBus implements AutoCloseable {

  static final String SERVICE_NAME = "org.freedesktop.secrets";
  static final String DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default";
  static final String SERVICE_PATH = "/org/freedesktop/secrets";
  static final String SERVICE_IFACE = "org.freedesktop.Secret.Service";
  static final String COLLECTION_IFACE = "org.freedesktop.Secret.Collection";
  static final String ITEM_IFACE = "org.freedesktop.Secret.Item";

  /** What the default collection looks like, asked without unlocking anything. */
  enum State { READY, LOCKED, NO_COLLECTION, NOT_RUNNING }

  private final DBusWire wire;
  // The first secret read needs our DH key pair, which takes a cold JVM ~15 ms of modPow: it is
  // made on a daemon thread while the connection is set up and the item is searched for.
  private final FutureTask<SecretTransfer> keys;
  private String sessionPath;
  private SecretTransfer transfer;

  private SecretServiceBus(DBusWire wire, FutureTask<SecretTransfer> keys) {
    this.wire = wire;
    this.keys = keys;
  }

  static SecretServiceBus connect(String busAddress) throws IOException {
    FutureTask<SecretTransfer> keys = new FutureTask<>(SecretTransfer::start);
    Thread maker = new Thread(keys, "credstore-dh-keys");
    maker.setDaemon(true);
    maker.start();
    return new SecretServiceBus(DBusWire.connect(busAddress), keys);
  }

  /**
   * NameHasOwner never starts a service, unlike a call to it: D-Bus activation would launch a
   * gnome-keyring-daemon with no login collection that outlives us.
   */
  State state() throws IOException {
    if (!wire.nameHasOwner(SERVICE_NAME)) {
      return State.NOT_RUNNING;
    }
    try {
      DBusWire.Reader reply = wire.call(SERVICE_NAME, DEFAULT_COLLECTION, DBusWire.PROPERTIES,
          "Get", "ss", List.of(COLLECTION_IFACE, "Locked"));
      reply.readVariantSignature();
      return reply.readBoolean() ? State.LOCKED : State.READY;
    } catch (DBusWire.Failure e) {
      if (e.errorName().startsWith("org.freedesktop.DBus.Error.Unknown")
          || e.errorName().endsWith(".NoSuchObject")) {
        return State.NO_COLLECTION;
      }
      throw e;
    }
  }

  /** Object paths of every item (locked or not) whose attributes include all of {@code attributes}. */
  List<String> searchItems(Map<String, String> attributes) throws IOException {
    DBusWire.Reader reply = wire.call(SERVICE_NAME, SERVICE_PATH, SERVICE_IFACE, "SearchItems", "D",
        List.of(attributes));
    List<String> paths = new ArrayList<>(reply.readObjectPaths());
    paths.addAll(reply.readObjectPaths());
    return paths;
  }

  /**
   * Items of the default collection whose attributes include all of {@code attributes}: the same
   * search java-keyring makes ({@code Collection.SearchItems} on the default alias).
   */
  List<String> searchDefaultCollection(Map<String, String> attributes) throws IOException {
    DBusWire.Reader reply = wire.call(SERVICE_NAME, DEFAULT_COLLECTION, COLLECTION_IFACE,
        "SearchItems", "D", List.of(attributes));
    return reply.readObjectPaths();
  }

  /**
   * The secret of one item as the bytes the service holds (UTF-8 for items java-keyring and
   * secret-tool write); the caller zeroes them. Never prompts: a locked item is an error reply.
   */
  byte[] secret(String itemPath) throws IOException {
    openSession();
    DBusWire.Reader reply = wire.call(SERVICE_NAME, itemPath, ITEM_IFACE, "GetSecret", "o",
        List.of(sessionPath));
    try {
      reply.structStart();
      reply.readString(); // the session
      byte[] parameters = reply.readBytes();
      byte[] value = reply.readBytes();
      if (transfer == null) {
        return value;
      }
      try {
        return transfer.decrypt(parameters, value);
      } catch (GeneralSecurityException e) {
        throw new IOException("cannot decrypt the secret of " + itemPath
            + " sent by the Secret Service", e);
      } finally {
        Arrays.fill(value, (byte) 0);
      }
    } finally {
      reply.wipe();
    }
  }

  /**
   * Opens the transfer session once per connection (the service closes it when we disconnect),
   * preferring the encrypted algorithm and, like libsecret, falling back to {@code plain} only when
   * the service does not support it.
   */
  private void openSession() throws IOException {
    if (sessionPath != null) {
      return;
    }
    SecretTransfer candidate;
    try {
      candidate = keys.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while making the transfer's key pair");
    } catch (ExecutionException e) {
      throw new IOException("cannot make a key pair for the Secret Service transfer",
          e.getCause());
    }
    try {
      DBusWire.Reader reply = wire.call(SERVICE_NAME, SERVICE_PATH, SERVICE_IFACE, "OpenSession",
          "sv", List.of(SecretTransfer.ALGORITHM, candidate.publicKey()));
      if (!"ay".equals(reply.readVariantSignature())) {
        throw new IOException("the Secret Service answered OpenSession with an unexpected type");
      }
      candidate.agree(reply.readBytes());
      sessionPath = reply.readString();
      transfer = candidate;
      candidate = null;
    } catch (DBusWire.Failure e) {
      if (!e.errorName().endsWith(".NotSupported")) {
        throw e;
      }
      DBusWire.Reader reply = wire.call(SERVICE_NAME, SERVICE_PATH, SERVICE_IFACE, "OpenSession",
          "sv", List.of("plain", ""));
      reply.readVariantSignature();
      reply.readString();
      sessionPath = reply.readString();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot agree on a key with the Secret Service", e);
    } finally {
      if (candidate != null) {
        candidate.close();
      }
    }
  }

  /** Whether secrets arrive encrypted; known once a secret has been read. For tests. */
  boolean encryptedTransfer() {
    return transfer != null;
  }

  /** Deletes one item; fails rather than leave a prompt pending when the collection is locked. */
  void deleteItem(String itemPath) throws IOException {
    DBusWire.Reader reply = wire.call(SERVICE_NAME, itemPath, ITEM_IFACE, "Delete", "", List.of());
    String prompt = reply.readString();
    if (!"/".equals(prompt)) {
      throw new IOException("deleting " + itemPath + " needs an unlock prompt; not prompting");
    }
  }

  /** The item's creation time as the Secret Service recorded it. */
  Optional<Instant> created(String itemPath) throws IOException {
    DBusWire.Reader reply = wire.call(SERVICE_NAME, itemPath, DBusWire.PROPERTIES, "Get", "ss",
        List.of(ITEM_IFACE, "Created"));
    if (!"t".equals(reply.readVariantSignature())) {
      return Optional.empty();
    }
    long seconds = reply.readUint64();
    return seconds > 0 ? Optional.of(Instant.ofEpochSecond(seconds)) : Optional.empty();
  }

  @Override
  public void close() {
    if (transfer != null) {
      transfer.close();
    }
    wire.close();
  }
}
