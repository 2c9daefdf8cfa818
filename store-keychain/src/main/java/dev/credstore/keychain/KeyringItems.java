package dev.credstore.keychain;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The keychain items of {@link KeychainStore} as java-keyring sees them: read one, write and
 * prove it, remove every copy, and what fits. Duplicates (from writers outside credstore's lock)
 * are handled here so that the store's operations need not know about them.
 */
final class KeyringItems {

  private final Platform platform;
  private final KeyringAccess access;

  KeyringItems(Platform platform, KeyringAccess access) {
    this.platform = platform;
    this.access = access;
  }

  /**
   * Writes and reads back: on a locked collection java-keyring's update can return normally and
   * store nothing, so only the read-back proves the write.
   */
  void writeVerified(CredentialId id, String service, Secret secret) throws Exception {
    char[] chars = secret.revealChars();
    String value = new String(chars);
    Arrays.fill(chars, '\0');
    try {
      access.write(service, id.account(), value);
    } catch (KeyringAccess.DuplicateItemsException e) {
      // Concurrent writers (outside our lock) created several items: drop them all, write once.
      access.removeAll(service, id.account());
      access.write(service, id.account(), value);
    }
    String readBack = readOne(service, id.account());
    if (readBack == null || !sameChars(value, readBack)) {
      throw new KeyringCalls.WriteNotKeptException(id);
    }
  }

  String readOne(String service, String account) throws Exception {
    try {
      return access.read(service, account);
    } catch (KeyringAccess.DuplicateItemsException e) {
      throw new KeyringCalls.DuplicatesOnReadException(e);
    }
  }

  boolean removeEvery(String service, String account) throws Exception {
    try {
      return access.remove(service, account);
    } catch (KeyringAccess.DuplicateItemsException e) {
      return access.removeAll(service, account) > 0;
    }
  }

  private static boolean sameChars(String a, String b) {
    byte[] x = a.getBytes(StandardCharsets.UTF_8);
    byte[] y = b.getBytes(StandardCharsets.UTF_8);
    try {
      return MessageDigest.isEqual(x, y);
    } finally {
      Arrays.fill(x, (byte) 0);
      Arrays.fill(y, (byte) 0);
    }
  }

  /** Refuses what this keychain cannot hold, before anything is written. */
  void checkFits(Credential credential) {
    if (credential.id().service().startsWith(KeychainStore.PREVIOUS_PREFIX)) {
      throw new IllegalArgumentException("service names starting with '" + KeychainStore.PREVIOUS_PREFIX
          + "' are reserved for the keychain backend's previous secrets");
    }
    if (platform.maxSecretBytes() == 0) {
      return;
    }
    checkFits(credential.id(), "secret", credential.secret());
    credential.previousSecret().ifPresent(p -> checkFits(credential.id(), "previous secret", p));
  }

  private void checkFits(CredentialId id, String what, Secret secret) {
    char[] chars = secret.revealChars();
    try {
      int size = platform.encodedSize(chars);
      if (size > platform.maxSecretBytes()) {
        throw new IllegalArgumentException("the " + what + " for " + id + " takes " + size
            + " bytes, but " + platform.summary() + " stores at most " + platform.maxSecretBytes()
            + " bytes per credential; use the file backend for secrets this long");
      }
    } finally {
      Arrays.fill(chars, '\0');
    }
  }
}
