package dev.credstore.api;

/** The operation conflicts with what is stored: the credential already exists, or changed since it was read. */
public final class CredentialConflictException extends CredentialStoreException {
  public CredentialConflictException(String message) {
    super(message);
  }

  public CredentialConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
