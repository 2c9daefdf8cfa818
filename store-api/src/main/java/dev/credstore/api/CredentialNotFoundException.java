package dev.credstore.api;

/** No credential (or no credential source at all) for the requested id. */
public final class CredentialNotFoundException extends CredentialStoreException {
  public CredentialNotFoundException(String message) {
    super(message);
  }

  public CredentialNotFoundException(String message, Throwable cause) {
    super(message, cause);
  }
}
