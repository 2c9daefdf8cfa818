package dev.credstore.api;

/** The chosen backend cannot be used here; the message says why and how to choose another. */
public final class BackendUnavailableException extends CredentialStoreException {
  public BackendUnavailableException(String message) {
    super(message);
  }

  public BackendUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
