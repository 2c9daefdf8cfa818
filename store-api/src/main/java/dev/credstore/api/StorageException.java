package dev.credstore.api;

/** The store's storage could not be used: an I/O error, unsafe permissions or an unsafe path. */
public final class StorageException extends CredentialStoreException {
  public StorageException(String message) {
    super(message);
  }

  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
