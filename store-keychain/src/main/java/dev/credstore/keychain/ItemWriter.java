package dev.credstore.keychain;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.keychain.dbus.SecretService;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Writes one credential as credstore's items. The keychain has no transactions, so the order of
 * the steps is what keeps a secret from being lost; callers hold the {@link WriteLock} and run
 * this on the worker thread.
 */
final class ItemWriter {

  private final SecretService service;

  ItemWriter(SecretService service) {
    this.service = service;
  }

  /**
   * Creates the new items, reads each back, then deletes credstore's old ones: a failure before
   * the deletes removes what it created and leaves the old credential as it was.
   */
  void store(Credential credential) throws IOException, CredentialStoreException {
    CredentialId id = credential.id();
    List<String> old = ItemValues.concat(service.searchDefaultCollection(ItemLayout.currentOf(id)),
        service.searchDefaultCollection(ItemLayout.previousOf(id)));
    List<String> created = new ArrayList<>();
    try {
      created.add(createVerified(id, ItemLayout.label(id),
          ItemLayout.current(credential.metadata()), credential.secret()));
      Optional<Secret> previous = credential.previousSecret();
      if (previous.isPresent()) {
        created.add(createVerified(id, ItemLayout.previousLabel(id), ItemLayout.previousOf(id),
            previous.get()));
      }
    } catch (IOException | CredentialStoreException | RuntimeException e) {
      for (String item : created) {
        try {
          service.deleteItem(item);
        } catch (IOException | RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
    for (String item : old) {
      if (!created.contains(item)) {
        service.deleteItem(item);
      }
    }
  }

  /** Creates one item and reads it back: only the read-back proves the service kept it. */
  private String createVerified(CredentialId id, String label, Map<String, String> attributes,
      Secret secret) throws IOException, CredentialStoreException {
    byte[] utf8 = secret.revealUtf8();
    byte[] readBack = null;
    try {
      String item = service.createItem(label, attributes, utf8);
      readBack = service.secret(item);
      if (!MessageDigest.isEqual(utf8, readBack)) {
        throw new StorageException("the keychain did not keep the secret written for " + id
            + " (reading it back gave a different value)");
      }
      return item;
    } finally {
      Arrays.fill(utf8, (byte) 0);
      if (readBack != null) {
        Arrays.fill(readBack, (byte) 0);
      }
    }
  }
}
