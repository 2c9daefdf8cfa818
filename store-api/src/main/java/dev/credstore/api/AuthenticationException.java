package dev.credstore.api;

/** The store could not be unlocked: wrong or missing passphrase, or a locked keychain. */
public final class AuthenticationException extends CredentialStoreException {
  public AuthenticationException(String message) {
    super(message);
  }

  public AuthenticationException(String message, Throwable cause) {
    super(message, cause);
  }
}
