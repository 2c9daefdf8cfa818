package dev.credstore.keychain;

import com.github.javakeyring.Keyring;
import com.github.javakeyring.PasswordAccessException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@link KeyringAccess} over java-keyring, plus (on Linux) a {@link SecretServiceBus} for what
 * java-keyring cannot do: check the lock without prompting, and remove duplicate items.
 */
final class JavaKeyringAccess implements KeyringAccess {

  /** How java-keyring's message-only exceptions are told apart. */
  enum Outcome { ABSENT, DUPLICATES, LOCKED, OTHER }

  private final Keyring keyring;
  private final SecretServiceBus bus;

  /** @param bus the Secret Service connection on Linux; null on macOS and Windows */
  JavaKeyringAccess(Keyring keyring, SecretServiceBus bus) {
    this.keyring = keyring;
    this.bus = bus;
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
      return keyring.getPassword(service, account);
    } catch (PasswordAccessException e) {
      return switch (classify(e)) {
        case ABSENT -> null;
        case DUPLICATES -> throw new DuplicateItemsException(e);
        default -> throw e;
      };
    }
  }

  @Override
  public void write(String service, String account, String secret) throws Exception {
    try {
      keyring.setPassword(service, account, secret);
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
      keyring.deletePassword(service, account);
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
    try {
      // Closing matters: java-keyring's D-Bus connection has non-daemon threads.
      keyring.close();
    } catch (Exception e) {
      // Closing is best effort; the connection is abandoned either way.
    } finally {
      if (bus != null) {
        bus.close();
      }
    }
  }
}
