package dev.credstore.keychain;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StoreDescription;
import dev.credstore.keychain.dbus.DBusErrorException;
import dev.credstore.keychain.dbus.SecretService;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link CredentialStore} in the Secret Service's default collection, over credstore's own
 * D-Bus client: the keychain alone is the truth ({@link ItemLayout}), no index. Only items marked
 * as credstore's are ever changed or deleted; another tool's item with the same service and
 * username (or account) is read when credstore has none, never overwritten or removed.
 *
 * <p>Writers hold a {@link WriteLock}: the keychain has no transactions, and each write creates the
 * new items before deleting the old ones, so a crash leaves a duplicate (reported, and repaired by
 * the next write), never a lost secret.
 */
final class SecretServiceStore implements CredentialStore {

  // How long a get waits out another process's write caught between its steps: 10 x 25 ms.
  private static final int READ_ATTEMPTS = 10;
  private static final long READ_RETRY_MILLIS = 25;

  private final SecretService service;
  private final SecretServiceCalls calls;
  private final ItemWriter writer;
  // The worker thread under calls, closed with the store.
  private final BoundedCalls worker;
  private final WriteLock lock;
  private final Clock clock;
  private final StoreDescription description;
  private volatile boolean closed;

  SecretServiceStore(SecretService service, BoundedCalls calls, WriteLock lock, Clock clock) {
    this.service = service;
    this.calls = new SecretServiceCalls(service, calls);
    this.writer = new ItemWriter(service);
    this.worker = calls;
    this.lock = lock;
    this.clock = clock;
    this.description = new StoreDescription("keychain", Platform.SECRET_SERVICE.summary(),
        "Secret Service default collection (items with application=credstore)");
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    checkOpen();
    return run("read", id, () -> {
      // A write in another process creates the new items before it deletes the old ones: read in
      // between, the items look like a write cut short, or one is gone by the time it is read.
      // Such a write ends within milliseconds; a state that outlasts the retries is reported.
      for (int attempt = 1; ; attempt++) {
        try {
          return readOnce(id);
        } catch (IntegrityException | DBusErrorException e) {
          boolean mayPass = e instanceof IntegrityException
              || ((DBusErrorException) e).objectGone();
          if (!mayPass || attempt == READ_ATTEMPTS) {
            throw e;
          }
        }
        try {
          Thread.sleep(READ_RETRY_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while reading " + id);
        }
      }
    });
  }

  private Optional<Credential> readOnce(CredentialId id)
      throws IOException, CredentialStoreException {
    List<String> own = service.searchDefaultCollection(ItemLayout.currentOf(id));
    if (own.size() > 1) {
      throw ItemValues.duplicates(id, own.size());
    }
    if (own.size() == 1) {
      return Optional.of(readOwn(id, own.get(0)));
    }
    String foreign = foreignItem(id);
    return foreign == null ? Optional.empty() : Optional.of(readForeign(id, foreign));
  }

  private Credential readOwn(CredentialId id, String item)
      throws IOException, CredentialStoreException {
    CredentialMetadata metadata = ItemValues.metadata(item, service.attributes(item));
    byte[] previous = null;
    byte[] current = service.secret(item);
    try {
      if (metadata.hasPreviousSecret()) {
        List<String> previousItems = service.searchDefaultCollection(ItemLayout.previousOf(id));
        if (previousItems.size() > 1) {
          throw ItemValues.duplicates(id, previousItems.size());
        }
        if (previousItems.isEmpty()) {
          throw new IntegrityException("the keychain item for " + id + " says a previous secret"
              + " is kept, but there is none; storing the credential again repairs this");
        }
        previous = service.secret(previousItems.get(0));
      }
      try (Secret secret = ItemValues.secret(id, current);
          Secret old = previous == null ? null : ItemValues.secret(id, previous)) {
        return ItemValues.credential(id, metadata, secret, old);
      }
    } finally {
      Arrays.fill(current, (byte) 0);
      if (previous != null) {
        Arrays.fill(previous, (byte) 0);
      }
    }
  }

  /** Another tool's item, read as a token dated by the Secret Service. */
  private Credential readForeign(CredentialId id, String item)
      throws IOException, CredentialStoreException {
    Instant created = service.created(item).orElse(clock.instant()).truncatedTo(ChronoUnit.MILLIS);
    byte[] value = service.secret(item);
    try (Secret secret = ItemValues.secret(id, value)) {
      return Credential.builder(id).token(secret).createdAt(created).updatedAt(created).build();
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  /**
   * The one unmarked item another tool stored for {@code id}: by {@code service} and
   * {@code username} (Python keyring, go-keyring), else by {@code service} and {@code account}
   * (keytar, java-keyring, credstore 0.1); null if none. Called only when credstore has no item,
   * so every match is another tool's.
   */
  private String foreignItem(CredentialId id) throws IOException, CredentialStoreException {
    for (String accountAttribute : List.of(ItemLayout.USERNAME, ItemLayout.ACCOUNT)) {
      List<String> found = service.searchDefaultCollection(
          Map.of(ItemLayout.SERVICE, id.service(), accountAttribute, id.account()));
      List<String> unmarked = new ArrayList<>();
      for (String item : found) {
        if (!ItemLayout.isCurrent(service.attributes(item))) {
          unmarked.add(item);
        }
      }
      if (unmarked.size() > 1) {
        throw new IntegrityException(unmarked.size() + " keychain items of other applications"
            + " match " + id + " (" + ItemLayout.SERVICE + ", " + accountAttribute + ");"
            + " credstore cannot tell which to read; 'credstore login' stores credstore's own");
      }
      if (unmarked.size() == 1) {
        return unmarked.get(0);
      }
    }
    return null;
  }

  @Override
  public void create(Credential credential) throws CredentialStoreException {
    checkOpen();
    CredentialId id = credential.id();
    lock.locked(() -> run("store", id, () -> {
      // Another tool's item does not count: a login over it creates credstore's own.
      if (!service.searchDefaultCollection(ItemLayout.currentOf(id)).isEmpty()) {
        throw new CredentialConflictException("a credential for " + id + " already exists");
      }
      store(credential);
      return null;
    }));
  }

  @Override
  public void put(Credential credential) throws CredentialStoreException {
    checkOpen();
    lock.locked(() -> run("store", credential.id(), () -> {
      store(credential);
      return null;
    }));
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    checkOpen();
    CredentialId id = replacement.id();
    lock.locked(() -> run("store", id, () -> {
      List<String> own = service.searchDefaultCollection(ItemLayout.currentOf(id));
      if (own.size() > 1) {
        throw ItemValues.duplicates(id, own.size());
      }
      String item = own.isEmpty() ? foreignItem(id) : own.get(0);
      if (item == null) {
        throw new CredentialNotFoundException("no credential for " + id + " to replace");
      }
      byte[] stored = service.secret(item);
      try (Secret current = ItemValues.secret(id, stored)) {
        if (!current.sameAs(expectedSecret)) {
          throw new CredentialConflictException(
              "the secret of " + id + " has changed since it was read; not replacing it");
        }
      } finally {
        Arrays.fill(stored, (byte) 0);
      }
      store(replacement);
      return null;
    }));
  }

  @Override
  public boolean delete(CredentialId id) throws CredentialStoreException {
    checkOpen();
    return lock.locked(() -> run("delete", id, () -> {
      List<String> own = service.searchDefaultCollection(ItemLayout.currentOf(id));
      List<String> previous = service.searchDefaultCollection(ItemLayout.previousOf(id));
      if (own.isEmpty() && previous.isEmpty()) {
        if (foreignItem(id) != null) {
          throw new CredentialConflictException("the keychain item for " + id + " was stored by"
              + " another application, and credstore deletes only its own; remove it with"
              + " that application or 'secret-tool clear service " + id.service() + " ...'");
        }
        return false;
      }
      for (String item : ItemValues.concat(own, previous)) {
        service.deleteItem(item);
      }
      return !own.isEmpty();
    }));
  }

  @Override
  public List<CredentialMetadata> list() throws CredentialStoreException {
    checkOpen();
    return run("list", null, () -> {
      TreeMap<CredentialId, CredentialMetadata> byId = new TreeMap<>();
      for (String item : service.searchDefaultCollection(
          ItemLayout.marked(ItemLayout.CURRENT_SCHEMA))) {
        Map<String, String> attributes;
        try {
          attributes = service.attributes(item);
        } catch (DBusErrorException e) {
          if (e.objectGone()) {
            continue; // deleted since the search (a logout elsewhere): not there any more
          }
          throw e;
        }
        CredentialMetadata metadata = ItemValues.metadata(item, attributes);
        // Duplicates (a write cut short) list once, as the newer.
        byId.merge(metadata.id(), metadata, (a, b) ->
            a.updatedAt().isAfter(b.updatedAt()) ? a : b);
      }
      return List.copyOf(byId.values());
    });
  }

  @Override
  public StoreDescription describe() {
    return description;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    service.close();
    worker.close();
  }

  // Shorthands, so that each operation above reads as its keychain steps.
  private void store(Credential credential) throws IOException, CredentialStoreException {
    writer.store(credential);
  }

  private <T> T run(String action, CredentialId id, SecretServiceCalls.Step<T> step)
      throws CredentialStoreException {
    return calls.run(action, id, step);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the keychain store has been closed");
    }
  }

  /**
   * Converts what credstore 0.1 wrote into marked items, then retires its index (see {@link
   * LegacyIndexUpgrade}); nothing to do without an index.
   */
  void upgradeFrom(KeychainIndex index) throws CredentialStoreException {
    new LegacyIndexUpgrade(service, calls, lock, writer).run(index);
  }
}
