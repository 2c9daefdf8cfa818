package dev.credstore.keychain;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The OS keychains credstore supports. No java-keyring type here: on Linux nothing of java-keyring
 * is loaded at all.
 */
enum Platform {
  SECRET_SERVICE("OS keychain (Secret Service)", 0),
  MACOS("OS keychain (macOS Keychain)", 0),
  // CRED_MAX_CREDENTIAL_BLOB_SIZE; java-keyring stores the secret as UTF-16LE.
  WINDOWS("OS keychain (Windows Credential Manager)", 5 * 512);

  private final String summary;
  private final int maxSecretBytes;

  Platform(String summary, int maxSecretBytes) {
    this.summary = summary;
    this.maxSecretBytes = maxSecretBytes;
  }

  /** The platform for an {@code os.name} value; empty where java-keyring has no usable keychain. */
  static Optional<Platform> forOsName(String osName) {
    String name = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
    if (name.startsWith("windows")) {
      return Optional.of(WINDOWS);
    }
    if (name.startsWith("mac")) {
      return Optional.of(MACOS);
    }
    if (name.startsWith("linux")) {
      return Optional.of(SECRET_SERVICE);
    }
    return Optional.empty();
  }

  static Optional<Platform> current() {
    return forOsName(System.getProperty("os.name"));
  }

  String summary() {
    return summary;
  }

  /** Largest secret this keychain accepts, in its own encoding; 0 for no practical limit. */
  int maxSecretBytes() {
    return maxSecretBytes;
  }

  /** The size {@code secret} takes in this keychain, counted without creating a String. */
  int encodedSize(char[] secret) {
    if (this == WINDOWS) {
      return secret.length * 2;
    }
    return StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(secret)).remaining();
  }
}
