package dev.credstore.keychain.dbus;

import java.io.IOException;

/**
 * Bytes from the bus that are not a D-Bus message, or a reply that is not what the call expects.
 * The message names the fault, never a value that could be a secret.
 */
public final class MalformedMessageException extends IOException {
  MalformedMessageException(String message) {
    super(message);
  }
}
