package dev.credstore.keychain;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.api.StoreDescription;
import dev.credstore.keychain.dbus.DBusErrorException;
import dev.credstore.keychain.dbus.MalformedMessageException;
import dev.credstore.keychain.dbus.PromptRequiredException;
import dev.credstore.keychain.dbus.SecretService;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;

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

  private final SecretService service;
  private final BoundedCalls calls;
  private final WriteLock lock;
  private final Clock clock;
  private final StoreDescription description;
  private volatile boolean closed;

  SecretServiceStore(SecretService service, BoundedCalls calls, WriteLock lock, Clock clock) {
    this.service = service;
    this.calls = calls;
    this.lock = lock;
    this.clock = clock;
    this.description = new StoreDescription("keychain", Platform.SECRET_SERVICE.summary(),
        "Secret Service default collection (items with application=credstore)");
  }

  /** A keychain step on the worker thread; the keychain state is checked first. */
  private interface Step<T> {
    T run() throws IOException, CredentialStoreException;
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    checkOpen();
    return run("read", id, () -> {
      List<String> own = service.searchDefaultCollection(ItemLayout.currentOf(id));
      if (own.size() > 1) {
        throw duplicates(id, own.size());
      }
      if (own.size() == 1) {
        return Optional.of(readOwn(id, own.get(0)));
      }
      String foreign = foreignItem(id);
      return foreign == null ? Optional.<Credential>empty() : Optional.of(readForeign(id, foreign));
    });
  }

  private Credential readOwn(CredentialId id, String item)
      throws IOException, CredentialStoreException {
    CredentialMetadata metadata = metadata(item, service.attributes(item));
    byte[] previous = null;
    byte[] current = service.secret(item);
    try {
      if (metadata.hasPreviousSecret()) {
        List<String> previousItems = service.searchDefaultCollection(ItemLayout.previousOf(id));
        if (previousItems.size() > 1) {
          throw duplicates(id, previousItems.size());
        }
        if (previousItems.isEmpty()) {
          throw new IntegrityException("the keychain item for " + id + " says a previous secret"
              + " is kept, but there is none; storing the credential again repairs this");
        }
        previous = service.secret(previousItems.get(0));
      }
      try (Secret secret = secret(id, current);
          Secret old = previous == null ? null : secret(id, previous)) {
        Credential.Builder builder = Credential.builder(id);
        if (metadata.kind() == CredentialKind.API_KEY) {
          builder.apiKey(metadata.keyName(), secret);
        } else {
          builder.token(secret);
        }
        return builder.attributes(metadata.attributes()).createdAt(metadata.createdAt())
            .updatedAt(metadata.updatedAt()).rotatedAt(metadata.rotatedAt())
            .previousSecret(old).build();
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
    try (Secret secret = secret(id, value)) {
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
        throw duplicates(id, own.size());
      }
      String item = own.isEmpty() ? foreignItem(id) : own.get(0);
      if (item == null) {
        throw new CredentialNotFoundException("no credential for " + id + " to replace");
      }
      byte[] stored = service.secret(item);
      try (Secret current = secret(id, stored)) {
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
      for (String item : concat(own, previous)) {
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
        CredentialMetadata metadata = metadata(item, service.attributes(item));
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
    calls.close();
  }

  /**
   * Creates the new items, reads each back, then deletes credstore's old ones: a failure before
   * the deletes removes what it created and leaves the old credential as it was.
   */
  private void store(Credential credential) throws IOException, CredentialStoreException {
    CredentialId id = credential.id();
    List<String> old = concat(service.searchDefaultCollection(ItemLayout.currentOf(id)),
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

  private static CredentialMetadata metadata(String item, Map<String, String> attributes)
      throws IntegrityException {
    try {
      return ItemLayout.metadata(attributes);
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("the keychain item " + item + " is marked as credstore's but"
          + " its metadata is unreadable: " + e.getMessage(), e);
    }
  }

  private static Secret secret(CredentialId id, byte[] utf8) throws IntegrityException {
    try {
      Secret secret = Secret.fromUtf8(utf8);
      if (secret.length() == 0) {
        secret.close();
        throw new IllegalArgumentException("empty");
      }
      return secret;
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("the keychain item for " + id + " is not a usable secret"
          + " (empty, not UTF-8, or too long)", e);
    }
  }

  private static IntegrityException duplicates(CredentialId id, int count) {
    return new IntegrityException(count + " of credstore's keychain items hold " + id
        + " (left by a write that was cut short); storing or deleting the credential again"
        + " repairs this");
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /**
   * Runs one step on the worker thread within the timeout, after checking (one round trip, no
   * prompt) that the default collection is unlocked, and maps every failure onto the store-api
   * exceptions. Messages name ids and D-Bus errors, never secrets.
   */
  private <T> T run(String action, CredentialId id, Step<T> step)
      throws CredentialStoreException {
    String what = action + (id == null ? "" : " " + id);
    try {
      return calls.call(() -> {
        requireUsable(service.lockState());
        return step.run();
      });
    } catch (CredentialStoreException e) {
      throw e;
    } catch (TimeoutException e) {
      throw new BackendUnavailableException("the Secret Service did not answer within "
          + calls.timeout().toMillis() + " ms (" + what + ")", e);
    } catch (PromptRequiredException e) {
      throw new AuthenticationException("the keychain is locked (" + what + "): " + e.getMessage()
          + "; unlock it and retry", e);
    } catch (MalformedMessageException e) {
      throw new BackendUnavailableException("the Secret Service sent a malformed reply (" + what
          + "): " + e.getMessage(), e);
    } catch (DBusErrorException e) {
      if (e.errorName().endsWith(".IsLocked")) {
        throw new AuthenticationException("the keychain is locked (" + what
            + "); unlock it and retry; credstore never opens an unlock prompt itself", e);
      }
      if (e.errorName().endsWith(".ServiceUnknown") || e.errorName().endsWith(".NoReply")
          || e.errorName().endsWith(".Disconnected") || e.errorName().endsWith(".NameHasNoOwner")) {
        throw new BackendUnavailableException("the Secret Service is no longer reachable ("
            + what + "): " + e.getMessage(), e);
      }
      throw new StorageException("the Secret Service refused to " + what + ": "
          + e.getMessage(), e);
    } catch (IOException e) {
      throw new BackendUnavailableException("the Secret Service is no longer reachable ("
          + what + "): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted during keychain " + what, e);
    } catch (Exception e) {
      throw new StorageException("the keychain failed to " + what, e);
    }
  }

  private static void requireUsable(SecretService.State state) throws CredentialStoreException {
    switch (state) {
      case READY -> { }
      case LOCKED -> throw new AuthenticationException("the keychain's default collection is"
          + " locked; unlock it (log in to the desktop, or use your keyring manager) and retry;"
          + " credstore never opens an unlock prompt itself");
      case NO_COLLECTION -> throw new BackendUnavailableException(
          "the Secret Service has no default collection (no login keyring)");
      case NOT_RUNNING -> throw new BackendUnavailableException(
          "no Secret Service is running on the session bus any more");
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the keychain store has been closed");
    }
  }

  /**
   * Converts what credstore 0.1 wrote (java-keyring items under {@code service} and
   * {@code account}, previous secrets under {@code credstore-previous:<service>}, metadata in
   * {@code keychain-index.json}) into marked items, then retires the index by renaming it to
   * {@value #RETIRED_SUFFIX}. An old item is deleted only once its marked copy has been read back,
   * only if the index names it and its attributes are exactly the two java-keyring wrote (plus the generic schema gnome-keyring adds), so
   * another tool's item with more attributes is never touched. Nothing to do without an index.
   */
  void upgradeFrom(KeychainIndex index) throws CredentialStoreException {
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
        all &= run("upgrade", metadata.id(), () -> upgradeOne(metadata));
      }
      if (!all) {
        return null; // kept, so that nothing it knows is lost; the next open tries again
      }
      Path retired = index.file().resolveSibling(index.file().getFileName() + RETIRED_SUFFIX);
      try {
        Files.move(index.file(), retired, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new StorageException("upgraded the keychain items but cannot retire the index "
            + index.file() + " (rename it yourself; it holds no secrets)", e);
      }
      return null;
    }));
  }

  static final String RETIRED_SUFFIX = ".retired";
  private static final String GENERIC_SCHEMA = "org.freedesktop.Secret.Generic";

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
    try (Secret secret = secret(id, value);
        Secret oldSecret = old == null ? null : secret(id, old)) {
      Credential.Builder builder = Credential.builder(id);
      if (metadata.kind() == CredentialKind.API_KEY) {
        builder.apiKey(metadata.keyName(), secret);
      } else {
        builder.token(secret);
      }
      try (Credential credential = builder.attributes(metadata.attributes())
          .createdAt(metadata.createdAt()).updatedAt(metadata.updatedAt())
          .rotatedAt(metadata.rotatedAt()).previousSecret(oldSecret).build()) {
        store(credential);
      }
    } finally {
      Arrays.fill(value, (byte) 0);
      if (old != null) {
        Arrays.fill(old, (byte) 0);
      }
    }
    // Only what java-keyring wrote goes; an item with more attributes (it was another tool's,
    // which 0.1 updated in place) stays as it is, and credstore now reads its own copy.
    for (String item : concat(exact, exactPrevious)) {
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
      Map<String, String> found = new java.util.HashMap<>(service.attributes(item));
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
