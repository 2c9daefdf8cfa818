package dev.credstore.api;

/** credstore's own configuration (config file, backend name, paths) is invalid. */
public final class ConfigurationException extends CredentialStoreException {
  public ConfigurationException(String message) {
    super(message);
  }

  public ConfigurationException(String message, Throwable cause) {
    super(message, cause);
  }
}
