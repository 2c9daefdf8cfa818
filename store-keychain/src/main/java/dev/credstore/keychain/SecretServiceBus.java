package dev.credstore.keychain;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The few Secret Service questions java-keyring cannot answer without side effects: is a service
 * running, is the default collection locked (asked without unlocking, so no prompt appears), which
 * items match an id (to repair duplicates), and when an item was created. Never reads a secret.
 * Not thread-safe; used from one worker thread at a time.
 */
final class SecretServiceBus implements AutoCloseable {

  static final String SERVICE_NAME = "org.freedesktop.secrets";
  static final String DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default";
  private static final String SERVICE_PATH = "/org/freedesktop/secrets";
  private static final String SERVICE_IFACE = "org.freedesktop.Secret.Service";
  private static final String COLLECTION_IFACE = "org.freedesktop.Secret.Collection";
  private static final String ITEM_IFACE = "org.freedesktop.Secret.Item";

  /** What the default collection looks like, asked without unlocking anything. */
  enum State { READY, LOCKED, NO_COLLECTION, NOT_RUNNING }

  private final DBusWire wire;

  private SecretServiceBus(DBusWire wire) {
    this.wire = wire;
  }

  static SecretServiceBus connect(String busAddress) throws IOException {
    return new SecretServiceBus(DBusWire.connect(busAddress));
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
    wire.close();
  }
}
