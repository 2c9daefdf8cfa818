package dev.credstore.keychain;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.keychain.dbus.SecretService;
import dev.credstore.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one-time move from credstore 0.1's layout to marked items. Apart from the store because it
 * runs once per user and touches items no other path may touch (java-keyring's unmarked ones).
 */
final class LegacyIndexUpgrade {

  static final String RETIRED_SUFFIX = ".retired";
  private static final String GENERIC_SCHEMA = "org.freedesktop.Secret.Generic";

  private final SecretService service;
  private final SecretServiceCalls calls;
  private final WriteLock lock;
  private final ItemWriter writer;

  LegacyIndexUpgrade(SecretService service, SecretServiceCalls calls, WriteLock lock,
      ItemWriter writer) {
    this.service = service;
    this.calls = calls;
    this.lock = lock;
    this.writer = writer;
  }

  /**
   * Converts what credstore 0.1 wrote (java-keyring items under {@code service} and
   * {@code account}, previous secrets under {@code credstore-previous:<service>}, metadata in
   * {@code keychain-index.json}) into marked items, then retires the index by renaming it to
   * {@value #RETIRED_SUFFIX}. An old item is deleted only once its marked copy has been read back,
   * only if the index names it and its attributes are exactly the two java-keyring wrote (plus
   * the generic schema gnome-keyring adds), so another tool's item with more attributes is never
   * touched. Nothing to do without an index.
   */
  void run(KeychainIndex index) throws CredentialStoreException {
    if (!Files.exists(index.file())) {
      return;
    }
    index.locked(() -> lock.locked(() -> {
      if (!Files.exists(index.file())) {
        return null; // another process upgraded meanwhile
      }
      TreeMap<CredentialId, CredentialMetadata> entries = index.read();
      boolean all = true;
      for (CredentialMetadata metadata : entries.values()) {
        all &= calls.run("upgrade", metadata.id(), () -> upgradeOne(metadata));
      }
      if (!all) {
        return null; // kept, so that nothing it knows is lost; the next open tries again
      }
      Path retired = index.file().resolveSibling(index.file().getFileName() + RETIRED_SUFFIX);
      try {
        PrivateFiles.rename(index.file(), retired);
      } catch (StorageException e) {
        throw new StorageException("upgraded the keychain items but cannot retire the index "
            + index.file() + " (rename it yourself; it holds no secrets)", e);
      }
      return null;
    }));
  }

  /** Converts one index entry; false if it cannot tell which item holds it. */
  private boolean upgradeOne(CredentialMetadata metadata)
      throws IOException, CredentialStoreException {
    CredentialId id = metadata.id();
    if (!service.searchDefaultCollection(ItemLayout.currentOf(id)).isEmpty()) {
      return true; // converted by an upgrade that was cut short before the index was retired
    }
    List<String> exact = new ArrayList<>();
    String source = legacyItem(id.service(), id.account(), exact);
    if (source == null) {
      return exact.isEmpty() && service.searchDefaultCollection(Map.of(ItemLayout.SERVICE,
          id.service(), ItemLayout.ACCOUNT, id.account())).isEmpty(); // gone: nothing to convert
    }
    List<String> exactPrevious = new ArrayList<>();
    String previous = legacyItem(KeychainStore.PREVIOUS_PREFIX + id.service(), id.account(),
        exactPrevious);
    byte[] value = service.secret(source);
    byte[] old = metadata.hasPreviousSecret() && previous != null ? service.secret(previous) : null;
    try (Secret secret = ItemValues.secret(id, value);
        Secret oldSecret = old == null ? null : ItemValues.secret(id, old);
        Credential credential = ItemValues.credential(id, metadata, secret, oldSecret)) {
      writer.store(credential);
    } finally {
      Arrays.fill(value, (byte) 0);
      if (old != null) {
        Arrays.fill(old, (byte) 0);
      }
    }
    // Only what java-keyring wrote goes; an item with more attributes (it was another tool's,
    // which 0.1 updated in place) stays as it is, and credstore now reads its own copy.
    for (String item : ItemValues.concat(exact, exactPrevious)) {
      service.deleteItem(item);
    }
    return true;
  }

  /**
   * The item 0.1 kept {@code serviceName}/{@code account} in: the one with exactly java-keyring's
   * attributes (all such are collected in {@code exact}), else the only item matching both; null
   * if none, or if several with more attributes leave it unclear.
   */
  private String legacyItem(String serviceName, String account, List<String> exact)
      throws IOException {
    Map<String, String> attributes = Map.of(ItemLayout.SERVICE, serviceName, ItemLayout.ACCOUNT,
        account);
    List<String> others = new ArrayList<>();
    for (String item : service.searchDefaultCollection(attributes)) {
      Map<String, String> found = new HashMap<>(service.attributes(item));
      // gnome-keyring adds the generic schema to an item created without one, as java-keyring's.
      found.remove(ItemLayout.SCHEMA, GENERIC_SCHEMA);
      if (found.equals(attributes)) {
        exact.add(item);
      } else if (!ItemLayout.APPLICATION_VALUE.equals(found.get(ItemLayout.APPLICATION))) {
        others.add(item);
      }
    }
    if (!exact.isEmpty()) {
      return exact.get(0);
    }
    return others.size() == 1 ? others.get(0) : null;
  }
}
