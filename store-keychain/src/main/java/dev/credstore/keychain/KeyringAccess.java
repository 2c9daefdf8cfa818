package dev.credstore.keychain;

import dev.credstore.keychain.dbus.SecretService;
import java.time.Instant;
import java.util.Optional;

/**
 * The keychain operations credstore needs, behind an interface so tests can stand in for the macOS
 * and Windows keychains, which cannot run here. Items are addressed by java-keyring's
 * {@code service} and {@code account}. Secrets travel as {@link String} because java-keyring takes
 * and returns them that way; callers keep those strings short-lived.
 *
 * <p>Implementations are used from one thread at a time and may block; callers bound every call.
 */
interface KeyringAccess extends AutoCloseable {

  /** The item's secret, or null if there is no such item. */
  String read(String service, String account) throws Exception;

  /** Creates or updates the item. */
  void write(String service, String account, String secret) throws Exception;

  /** Deletes the item; false if there was none. */
  boolean remove(String service, String account) throws Exception;

  /** Deletes every item matching service and account, duplicates included; returns how many. */
  int removeAll(String service, String account) throws Exception;

  /** Whether the keychain can be used now, asked without prompting or unlocking. */
  SecretService.State state() throws Exception;

  /** When the keychain says the item was created, where it can say. */
  Optional<Instant> createdAt(String service, String account) throws Exception;

  @Override
  void close();

  /** Several items match one service and account (java-keyring's "Too many stored credentials"). */
  final class DuplicateItemsException extends Exception {
    DuplicateItemsException(Throwable cause) {
      super("several keychain items match one service and account", cause);
    }
  }
}
