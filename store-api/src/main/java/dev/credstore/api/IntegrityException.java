package dev.credstore.api;

/** Stored data failed verification: tampered, corrupt, truncated or not a credstore file. */
public final class IntegrityException extends CredentialStoreException {
  public IntegrityException(String message) {
    super(message);
  }

  public IntegrityException(String message, Throwable cause) {
    super(message, cause);
  }
}
