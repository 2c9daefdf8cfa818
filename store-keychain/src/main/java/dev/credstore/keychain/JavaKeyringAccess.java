package dev.credstore.keychain;

import com.github.javakeyring.Keyring;
import com.github.javakeyring.PasswordAccessException;
import dev.credstore.keychain.dbus.SecretService;
import java.time.Instant;
import java.util.Optional;

/**
 * {@link KeyringAccess} over java-keyring, for the macOS Keychain and Windows Credential Manager
 * (on Linux credstore talks to the Secret Service itself, see {@link SecretServiceStore}). The
 * keyring is created on first use.
 */
final class JavaKeyringAccess implements KeyringAccess {

  /** How java-keyring's message-only exceptions are told apart. */
  enum Outcome { ABSENT, DUPLICATES, LOCKED, OTHER }

  /** Creates java-keyring's {@link Keyring}; may be slow, always runs on the bounded worker. */
  interface KeyringFactory {
    Keyring create() throws Exception;
  }

  private final KeyringFactory factory;
  private final Object lock = new Object();
  private Keyring keyring;
  private boolean closed;

  JavaKeyringAccess(Keyring keyring) {
    this(() -> keyring);
  }

  JavaKeyringAccess(KeyringFactory factory) {
    this.factory = factory;
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
    try {
      return keyring().getPassword(service, account);
    } catch (PasswordAccessException e) {
      requireAbsent(e);
      return null;
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
      requireAbsent(e);
      return false;
    }
  }

  /** Returns if {@code e} says the item is not there (not-found is a value); else throws. */
  private static void requireAbsent(PasswordAccessException e) throws Exception {
    switch (classify(e)) {
      case ABSENT -> { }
      case DUPLICATES -> throw new DuplicateItemsException(e);
      default -> throw e;
    }
  }

  @Override
  public int removeAll(String service, String account) throws Exception {
    // macOS and Windows key items by service and account, so there are never duplicates.
    return remove(service, account) ? 1 : 0;
  }

  @Override
  public SecretService.State state() {
    return SecretService.State.READY;
  }

  @Override
  public Optional<Instant> createdAt(String service, String account) {
    return Optional.empty();
  }

  @Override
  public void close() {
    Keyring open;
    synchronized (lock) {
      closed = true;
      open = keyring;
      keyring = null;
    }
    if (open != null) {
      closeQuietly(open);
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
