package dev.credstore.keychain.dbus;

import java.io.IOException;

/**
 * The Secret Service answered with a prompt (the collection or item is locked): credstore never
 * shows one, so the operation did not happen.
 */
public final class PromptRequiredException extends IOException {
  PromptRequiredException(String message) {
    super(message);
  }
}
