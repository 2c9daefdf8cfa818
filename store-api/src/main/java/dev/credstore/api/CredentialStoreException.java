package dev.credstore.api;

/**
 * Root of every checked failure a {@link CredentialStore} reports. Each subclass is a situation the
 * caller can act on; messages name ids, paths and backends but never contain a secret.
 */
public class CredentialStoreException extends Exception {
  public CredentialStoreException(String message) {
    super(message);
  }

  public CredentialStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
