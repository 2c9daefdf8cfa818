package dev.credstore.keychain;

import com.github.javakeyring.Keyring;
import com.github.javakeyring.PasswordAccessException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link KeyringAccess} over java-keyring, plus (on Linux) a {@link SecretServiceBus} for what
 * java-keyring cannot do: check the lock without prompting, remove duplicate items, and read a
 * secret without java-keyring's ~1 s dbus-java set-up. On Linux the keyring is therefore created
 * only when something is written or deleted; reads find exactly the items java-keyring would
 * (same attributes, same collection, same duplicate rule).
 */
final class JavaKeyringAccess implements KeyringAccess {

  /** How java-keyring's message-only exceptions are told apart. */
  enum Outcome { ABSENT, DUPLICATES, LOCKED, OTHER }

  /** Creates java-keyring's {@link Keyring}; may be slow, always runs on the bounded worker. */
  interface KeyringFactory {
    Keyring create() throws Exception;
  }

  private final KeyringFactory factory;
  private final SecretServiceBus bus;
  private final Object lock = new Object();
  private Keyring keyring;
  private boolean closed;

  /** @param bus the Secret Service connection on Linux; null on macOS and Windows */
  JavaKeyringAccess(Keyring keyring, SecretServiceBus bus) {
    this(() -> keyring, bus);
  }

  /** @param bus the Secret Service connection on Linux; null on macOS and Windows */
  JavaKeyringAccess(KeyringFactory factory, SecretServiceBus bus) {
    this.factory = factory;
    this.bus = bus;
  }

  /** The keyring, created on first use; closed at once if this access was closed meanwhile. */
  private Keyring keyring() throws Exception {
    synchronized (lock) {
      if (keyring != null) {
        return keyring;
      }
      if (closed) {
        throw new IllegalStateException("the keychain access has been closed");
      }
    }
    Keyring created = factory.create();
    synchronized (lock) {
      if (closed) {
        // A call that timed out created it late; its D-Bus threads must not keep the JVM alive.
        closeQuietly(created);
        throw new IllegalStateException("the keychain access has been closed");
      }
      if (keyring == null) {
        keyring = created;
      } else if (keyring != created) {
        closeQuietly(created);
      }
      return keyring;
    }
  }

  /**
   * java-keyring reports a missing item, duplicates and real failures all as
   * PasswordAccessException with different messages (per backend), so the message is all there is.
   */
  static Outcome classify(PasswordAccessException e) {
    String message = String.valueOf(e.getMessage());
    if (message.contains("Too many stored credentials")) {
      return Outcome.DUPLICATES;
    }
    if (message.contains("No stored credentials match") // Secret Service, modern macOS
        || message.contains("Password not Found")       // Windows, empty blob
        || message.contains("Error code 1168")          // Windows ERROR_NOT_FOUND
        || message.contains("No password to delete")    // legacy macOS delete
        || message.contains("-25300")) {                // macOS errSecItemNotFound
      return Outcome.ABSENT;
    }
    if (message.contains("-25308")                      // macOS errSecInteractionNotAllowed
        || message.contains("-25293")                   // macOS errSecAuthFailed
        || message.matches("(?s).*(^|[^0-9])-128([^0-9].*|$)")) { // macOS userCanceledErr
      return Outcome.LOCKED;
    }
    return Outcome.OTHER;
  }

  @Override
  public String read(String service, String account) throws Exception {
    if (bus != null) {
      return readOverBus(service, account);
    }
    try {
      return keyring().getPassword(service, account);
    } catch (PasswordAccessException e) {
      return switch (classify(e)) {
        case ABSENT -> null;
        case DUPLICATES -> throw new DuplicateItemsException(e);
        default -> throw e;
      };
    }
  }

  /**
   * java-keyring's getPassword, over our own bus connection: the one item of the default collection
   * with these attributes, or null; several are duplicates.
   */
  private String readOverBus(String service, String account) throws Exception {
    List<String> items =
        bus.searchDefaultCollection(Map.of("service", service, "account", account));
    if (items.isEmpty()) {
      return null;
    }
    if (items.size() > 1) {
      throw new DuplicateItemsException(new IllegalStateException(items.size()
          + " items match service and account"));
    }
    byte[] utf8 = bus.secret(items.get(0));
    try {
      // A String because that is what java-keyring's callers get too (see KeyringAccess).
      return new String(utf8, StandardCharsets.UTF_8);
    } finally {
      Arrays.fill(utf8, (byte) 0);
    }
  }

  @Override
  public void write(String service, String account, String secret) throws Exception {
    try {
      keyring().setPassword(service, account, secret);
    } catch (PasswordAccessException e) {
      if (classify(e) == Outcome.DUPLICATES) {
        throw new DuplicateItemsException(e);
      }
      throw e;
    }
  }

  @Override
  public boolean remove(String service, String account) throws Exception {
    try {
      keyring().deletePassword(service, account);
      return true;
    } catch (PasswordAccessException e) {
      return switch (classify(e)) {
        case ABSENT -> false;
        case DUPLICATES -> throw new DuplicateItemsException(e);
        default -> throw e;
      };
    }
  }

  @Override
  public int removeAll(String service, String account) throws Exception {
    if (bus == null) {
      // macOS and Windows key items by service and account, so there are never duplicates.
      return remove(service, account) ? 1 : 0;
    }
    List<String> items = bus.searchItems(Map.of("service", service, "account", account));
    for (String item : items) {
      bus.deleteItem(item);
    }
    return items.size();
  }

  @Override
  public SecretServiceBus.State state() throws Exception {
    return bus == null ? SecretServiceBus.State.READY : bus.state();
  }

  @Override
  public Optional<Instant> createdAt(String service, String account) throws Exception {
    if (bus == null) {
      return Optional.empty();
    }
    List<String> items = bus.searchItems(Map.of("service", service, "account", account));
    return items.isEmpty() ? Optional.empty() : bus.created(items.get(0));
  }

  @Override
  public void close() {
    Keyring open;
    synchronized (lock) {
      closed = true;
      open = keyring;
      keyring = null;
    }
    try {
      // Closing matters: java-keyring's D-Bus connection has non-daemon threads.
      if (open != null) {
        closeQuietly(open);
      }
    } finally {
      if (bus != null) {
        bus.close();
      }
    }
  }

  private static void closeQuietly(Keyring keyring) {
    try {
      keyring.close();
    } catch (Exception e) {
      // Closing is best effort; the connection is abandoned either way.
    }
  }
}
