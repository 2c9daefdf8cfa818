package dev.credstore.keychain.dbus;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The Secret Service calls credstore makes, over one {@link BusConnection}: is a service running
 * and is the default collection locked (asked without unlocking, so no prompt appears), search,
 * attributes, read, create and delete items. Secrets travel encrypted ({@link SecretTransfer})
 * unless the service offers only {@code plain}. Nothing here opens a prompt: an operation that
 * would need one fails instead. Not thread-safe; used from one worker thread at a time.
 */
public final class SecretService implements AutoCloseable {

  public static final String SERVICE_NAME = "org.freedesktop.secrets";
  public static final String DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default";
  static final String SERVICE_PATH = "/org/freedesktop/secrets";
  static final String SERVICE_IFACE = "org.freedesktop.Secret.Service";
  static final String COLLECTION_IFACE = "org.freedesktop.Secret.Collection";
  static final String ITEM_IFACE = "org.freedesktop.Secret.Item";
  private static final String CONTENT_TYPE = "text/plain";

  /** What the default collection looks like, asked without unlocking anything. */
  public enum State { READY, LOCKED, NO_COLLECTION, NOT_RUNNING }

  private final BusConnection bus;
  // The first secret needs our DH key pair, which takes a cold JVM ~15 ms of modPow: it is made
  // on a daemon thread while the item is searched for (see prepareTransfer).
  private FutureTask<SecretTransfer> keys;
  private String sessionPath;
  private SecretTransfer transfer;
  private SecureRandom random;

  private SecretService(BusConnection bus) {
    this.bus = bus;
  }

  /** Connects to the bus at {@code address}; starts no service. */
  public static SecretService connect(String address) throws IOException {
    return new SecretService(BusConnection.open(address));
  }

  /**
   * Starts making the transfer's key pair on a daemon thread, so that it is ready by the time a
   * secret is read. Not done by {@link #connect}: a probe needs no keys (measured: starting them
   * there gains a get nothing and costs list and status the CPU).
   */
  public synchronized void prepareTransfer() {
    if (keys == null) {
      keys = new FutureTask<>(SecretTransfer::start);
      Thread maker = new Thread(keys, "credstore-dh-keys");
      maker.setDaemon(true);
      maker.start();
    }
  }

  /** The bus connection's unique name. */
  public String connectionName() {
    return bus.uniqueName();
  }

  /**
   * NameHasOwner first: it never starts a service, and a D-Bus-activated gnome-keyring-daemon
   * would have no login collection and outlive us.
   */
  public State state() throws IOException {
    if (!bus.nameHasOwner(SERVICE_NAME)) {
      return State.NOT_RUNNING;
    }
    return lockState();
  }

  /** The default collection's {@code Locked} property alone: one round trip. */
  public State lockState() throws IOException {
    try {
      Object value = property(DEFAULT_COLLECTION, COLLECTION_IFACE, "Locked", "b");
      return (Boolean) value ? State.LOCKED : State.READY;
    } catch (DBusErrorException e) {
      if (e.errorName().startsWith("org.freedesktop.DBus.Error.Unknown")
          || e.errorName().endsWith(".NoSuchObject")) {
        return State.NO_COLLECTION;
      }
      if (e.errorName().endsWith(".ServiceUnknown") || e.errorName().endsWith(".NameHasNoOwner")) {
        return State.NOT_RUNNING;
      }
      throw e;
    }
  }

  /** Items of the default collection whose attributes include all of {@code attributes}. */
  public List<String> searchDefaultCollection(Map<String, String> attributes) throws IOException {
    List<Object> reply = bus.call(SERVICE_NAME, DEFAULT_COLLECTION, COLLECTION_IFACE,
        "SearchItems", "a{ss}", List.of(attributes), "ao");
    return strings(reply.get(0));
  }

  /** An item's attributes. */
  public Map<String, String> attributes(String itemPath) throws IOException {
    Object value = property(itemPath, ITEM_IFACE, "Attributes", "a{ss}");
    Map<String, String> attributes = new LinkedHashMap<>();
    ((Map<?, ?>) value).forEach((k, v) -> attributes.put((String) k, (String) v));
    return attributes;
  }

  /** The item's creation time as the Secret Service recorded it, if it did. */
  public Optional<Instant> created(String itemPath) throws IOException {
    long seconds = (Long) property(itemPath, ITEM_IFACE, "Created", "t");
    return seconds > 0 ? Optional.of(Instant.ofEpochSecond(seconds)) : Optional.empty();
  }

  /**
   * The secret of one item as the bytes the service holds (UTF-8 for items credstore, keyring and
   * secret-tool write); the caller zeroes them. A locked item is an error reply, never a prompt.
   */
  public byte[] secret(String itemPath) throws IOException {
    openSession();
    List<Object> reply = bus.call(SERVICE_NAME, itemPath, ITEM_IFACE, "GetSecret", "o",
        List.of(sessionPath), "(oayays)");
    List<?> secret = (List<?>) reply.get(0);
    try {
      if (!sessionPath.equals(secret.get(0))) {
        throw new MalformedMessageException("the Secret Service returned the secret of "
            + itemPath + " for another session");
      }
      byte[] parameters = (byte[]) secret.get(1);
      byte[] value = (byte[]) secret.get(2);
      if (transfer == null) {
        if (parameters.length != 0) {
          throw new MalformedMessageException("the Secret Service sent transfer parameters in a"
              + " plain session");
        }
        return value.clone();
      }
      try {
        return transfer.decrypt(parameters, value);
      } catch (GeneralSecurityException e) {
        throw new MalformedMessageException("cannot decrypt the secret of " + itemPath
            + " sent by the Secret Service: " + e.getMessage());
      }
    } finally {
      Message.wipe(secret);
    }
  }

  /**
   * Creates an item in the default collection ({@code replace} false: never overwrites another
   * item) and returns its path. Fails instead of prompting when the collection is locked.
   */
  public String createItem(String label, Map<String, String> attributes, byte[] secret)
      throws IOException {
    openSession();
    byte[] parameters = new byte[0];
    byte[] value;
    if (transfer != null) {
      parameters = new byte[16];
      if (random == null) {
        random = new SecureRandom();
      }
      random.nextBytes(parameters);
      value = transfer.encrypt(parameters, secret);
    } else {
      value = secret.clone();
    }
    Map<String, Variant> properties = new LinkedHashMap<>();
    properties.put(ITEM_IFACE + ".Label", new Variant("s", label));
    properties.put(ITEM_IFACE + ".Attributes", new Variant("a{ss}", attributes));
    try {
      List<Object> reply = bus.call(SERVICE_NAME, DEFAULT_COLLECTION, COLLECTION_IFACE,
          "CreateItem", "a{sv}(oayays)b",
          List.of(properties, List.of(sessionPath, parameters, value, CONTENT_TYPE), false), "oo");
      String item = (String) reply.get(0);
      String prompt = (String) reply.get(1);
      if (!"/".equals(prompt) || "/".equals(item)) {
        throw new PromptRequiredException("storing in the default collection needs an unlock"
            + " prompt; not prompting");
      }
      return item;
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  /** Deletes one item; fails rather than leave a prompt pending when the collection is locked. */
  public void deleteItem(String itemPath) throws IOException {
    List<Object> reply = bus.call(SERVICE_NAME, itemPath, ITEM_IFACE, "Delete", "", List.of(),
        "o");
    if (!"/".equals(reply.get(0))) {
      throw new PromptRequiredException("deleting " + itemPath
          + " needs an unlock prompt; not prompting");
    }
  }

  /** Whether secrets travel encrypted; known once a session is open. For tests. */
  public boolean encryptedTransfer() {
    return transfer != null;
  }

  private Object property(String path, String iface, String name, String type)
      throws IOException {
    List<Object> reply = bus.call(SERVICE_NAME, path, BusConnection.PROPERTIES, "Get", "ss",
        List.of(iface, name), "v");
    Variant value = (Variant) reply.get(0);
    if (!type.equals(value.signature())) {
      throw new MalformedMessageException("the Secret Service's " + name + " property has type "
          + value.signature() + ", expected " + type);
    }
    return value.value();
  }

  /**
   * Opens the transfer session once per connection (the service closes it when we disconnect),
   * preferring the encrypted algorithm and, like libsecret, falling back to {@code plain} only
   * when the service does not support it.
   */
  private void openSession() throws IOException {
    if (sessionPath != null) {
      return;
    }
    prepareTransfer();
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
      List<Object> reply = bus.call(SERVICE_NAME, SERVICE_PATH, SERVICE_IFACE, "OpenSession",
          "sv", List.of(SecretTransfer.ALGORITHM, new Variant("ay", candidate.publicKey())), "vo");
      Variant output = (Variant) reply.get(0);
      if (!"ay".equals(output.signature())) {
        throw new MalformedMessageException("the Secret Service answered OpenSession with a "
            + output.signature() + ", expected ay");
      }
      candidate.agree((byte[]) output.value());
      sessionPath = (String) reply.get(1);
      transfer = candidate;
      candidate = null;
    } catch (DBusErrorException e) {
      if (!e.errorName().endsWith(".NotSupported")) {
        throw e;
      }
      List<Object> reply = bus.call(SERVICE_NAME, SERVICE_PATH, SERVICE_IFACE, "OpenSession",
          "sv", List.of("plain", new Variant("s", "")), "vo");
      sessionPath = (String) reply.get(1);
    } catch (GeneralSecurityException e) {
      throw new MalformedMessageException("cannot agree on a key with the Secret Service: "
          + e.getMessage());
    } finally {
      if (candidate != null) {
        candidate.close();
      }
    }
  }

  private static List<String> strings(Object list) {
    List<String> out = new ArrayList<>();
    for (Object item : (List<?>) list) {
      out.add((String) item);
    }
    return out;
  }

  /**
   * Runs the code of a read without a bus, for a launcher's class-data-sharing training run: a
   * transfer round trip and the messages a read sends and receives, encoded and parsed.
   *
   * @throws IllegalStateException only if that code is itself broken
   */
  public static void exerciseOffline() {
    try (SecretTransfer ours = SecretTransfer.start();
        SecretTransfer service = SecretTransfer.start()) {
      ours.agree(service.publicKey());
      service.agree(ours.publicKey());
      byte[] iv = new byte[16];
      byte[] opened = ours.decrypt(iv, service.encrypt(iv, new byte[20]));
      Arrays.fill(opened, (byte) 0);
      Message.parse(Message.methodCall(1, SERVICE_NAME, DEFAULT_COLLECTION, COLLECTION_IFACE,
          "SearchItems", "a{ss}", List.of(Map.of("service", "cds-training"))));
      Message.parse(Message.methodReturn(java.nio.ByteOrder.LITTLE_ENDIAN, 2, 1, ":1.1", "vo",
          List.of(new Variant("ay", new byte[128]), "/org/freedesktop/secrets/session/s1")));
      Message.parse(Message.methodReturn(java.nio.ByteOrder.LITTLE_ENDIAN, 3, 2, ":1.1",
          "(oayays)", List.of(List.of("/s", iv, new byte[32], CONTENT_TYPE))));
      Message.parse(Message.methodReturn(java.nio.ByteOrder.LITTLE_ENDIAN, 4, 3, ":1.1", "v",
          List.of(new Variant("a{ss}", Map.of("application", "credstore")))));
    } catch (GeneralSecurityException | MalformedMessageException e) {
      throw new IllegalStateException("the Secret Service client fails offline", e);
    }
  }

  @Override
  public void close() {
    if (transfer != null) {
      transfer.close();
    }
    bus.close();
  }
}
