package dev.credstore.keychain;

import com.github.javakeyring.PasswordAccessException;
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
import dev.credstore.keychain.dbus.SecretService;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A {@link CredentialStore} in the OS keychain. Each credential is one keychain item under
 * java-keyring's {@code service} and {@code account} whose secret is the raw token, so other tools
 * find it; the previous secret after a rotation is a second item under {@link #PREVIOUS_PREFIX}
 * plus the service; everything else lives in the {@link KeychainIndex}.
 *
 * <p>Secrets cross into java-keyring as {@link String}s, which cannot be zeroed: each such string is
 * made just before the call and dropped right after, and our own char[] copies are zeroed.
 */
final class KeychainStore implements CredentialStore {

  /** Service prefix of previous-secret items; ':' keeps it apart from any credstore service. */
  static final String PREVIOUS_PREFIX = "credstore-previous:";

  private final Platform platform;
  private final KeyringAccess access;
  private final KeychainIndex index;
  private final BoundedCalls calls;
  private final Clock clock;
  private final StoreDescription description;
  private volatile boolean closed;

  KeychainStore(Platform platform, KeyringAccess access, KeychainIndex index, BoundedCalls calls,
      Clock clock) {
    this.platform = platform;
    this.access = access;
    this.index = index;
    this.calls = calls;
    this.clock = clock;
    this.description = new StoreDescription("keychain", platform.summary(),
        location(platform) + "; metadata index " + index.file());
  }

  private static String location(Platform platform) {
    return switch (platform) {
      case SECRET_SERVICE -> "Secret Service default collection (login)";
      case MACOS -> "macOS login keychain";
      case WINDOWS -> "Windows Credential Manager (generic credentials)";
    };
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    checkOpen();
    CredentialMetadata metadata = index.read().get(id);
    boolean wantPrevious = metadata != null && metadata.hasPreviousSecret();
    Fetched fetched = keychain("read", id, () -> {
      String current = readOne(id.service(), id.account());
      if (current == null) {
        return null;
      }
      String previous = wantPrevious ? readOne(previousService(id), id.account()) : null;
      Instant created = metadata == null
          ? access.createdAt(id.service(), id.account()).orElse(null) : null;
      return new Fetched(current, previous, created);
    });
    if (fetched == null) {
      return Optional.empty();
    }
    try (Secret secret = Secret.of(fetched.current);
        Secret previous = fetched.previous == null ? null : Secret.of(fetched.previous)) {
      Credential.Builder builder = Credential.builder(id);
      if (metadata == null) {
        // Stored by another tool (e.g. secret-tool store): a token, dated as well as we can.
        Instant created = fetched.created != null ? fetched.created : clock.instant();
        builder.token(secret).createdAt(created).updatedAt(created);
      } else {
        if (metadata.kind() == CredentialKind.API_KEY) {
          builder.apiKey(metadata.keyName(), secret);
        } else {
          builder.token(secret);
        }
        builder.attributes(metadata.attributes()).createdAt(metadata.createdAt())
            .updatedAt(metadata.updatedAt()).rotatedAt(metadata.rotatedAt())
            .previousSecret(previous);
      }
      return Optional.of(builder.build());
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("the keychain item for " + id + " is not a usable secret"
          + " (empty, only whitespace, or too long)", e);
    }
  }

  @Override
  public void create(Credential credential) throws CredentialStoreException {
    checkOpen();
    checkFits(credential);
    index.locked(() -> {
      CredentialId id = credential.id();
      boolean present = keychain("check", id, () -> readOne(id.service(), id.account()) != null);
      if (present) {
        throw new CredentialConflictException("a credential for " + id + " already exists");
      }
      store(credential);
      return null;
    });
  }

  @Override
  public void put(Credential credential) throws CredentialStoreException {
    checkOpen();
    checkFits(credential);
    index.locked(() -> {
      store(credential);
      return null;
    });
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    checkOpen();
    checkFits(replacement);
    index.locked(() -> {
      CredentialId id = replacement.id();
      Boolean matches = keychain("check", id, () -> {
        String current = readOne(id.service(), id.account());
        if (current == null) {
          return null;
        }
        try (Secret stored = Secret.of(current)) {
          return stored.sameAs(expectedSecret);
        }
      });
      if (matches == null) {
        throw new CredentialNotFoundException("no credential for " + id + " to replace");
      }
      if (!matches) {
        throw new CredentialConflictException(
            "the secret of " + id + " has changed since it was read; not replacing it");
      }
      store(replacement);
      return null;
    });
  }

  @Override
  public boolean delete(CredentialId id) throws CredentialStoreException {
    checkOpen();
    return index.locked(() -> {
      boolean removed = keychain("delete", id, () -> {
        boolean main = removeEvery(id.service(), id.account());
        removeEvery(previousService(id), id.account());
        return main;
      });
      TreeMap<CredentialId, CredentialMetadata> entries = index.read();
      boolean indexed = entries.remove(id) != null;
      if (indexed) {
        index.write(entries);
      }
      return removed || indexed;
    });
  }

  @Override
  public List<CredentialMetadata> list() throws CredentialStoreException {
    return list(warning -> { });
  }

  /** The index, checked against the keychain entry by entry ({@link IndexCheck}). */
  @Override
  public List<CredentialMetadata> list(Consumer<String> warnings)
      throws CredentialStoreException {
    checkOpen();
    return IndexCheck.run(index.read().values(), this::present, index.file().toString(),
        warnings);
  }

  /** java-keyring has no existence check, so this reads the item and drops its secret at once. */
  private boolean present(CredentialId id) throws Exception {
    return calls.call(() -> {
      try {
        return access.read(id.service(), id.account()) != null;
      } catch (KeyringAccess.DuplicateItemsException e) {
        return true;
      }
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
    try {
      calls.call(() -> {
        access.close();
        return null;
      });
    } catch (Exception e) {
      // A keychain that will not close in time is abandoned on its daemon thread.
    } finally {
      calls.close();
    }
  }

  /** Writes the items, verifies them, then the index; called holding the write lock. */
  private void store(Credential credential) throws CredentialStoreException {
    CredentialId id = credential.id();
    TreeMap<CredentialId, CredentialMetadata> entries = index.read();
    String[] before = new String[1];
    keychain("store", id, () -> {
      before[0] = readOne(id.service(), id.account());
      writeVerified(id, id.service(), credential.secret());
      Optional<Secret> previous = credential.previousSecret();
      if (previous.isPresent()) {
        writeVerified(id, previousService(id), previous.get());
      } else {
        removeEvery(previousService(id), id.account());
      }
      return null;
    });
    entries.put(id, credential.metadata());
    try {
      index.write(entries);
    } catch (CredentialStoreException e) {
      // Best effort: put the old secret back so the store stays as it was.
      try {
        keychain("restore", id, () -> {
          if (before[0] == null) {
            removeEvery(id.service(), id.account());
          } else {
            access.write(id.service(), id.account(), before[0]);
          }
          return null;
        });
      } catch (CredentialStoreException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    } finally {
      before[0] = null;
    }
  }

  /**
   * Writes and reads back: on a locked collection java-keyring's update can return normally and
   * store nothing, so only the read-back proves the write.
   */
  private void writeVerified(CredentialId id, String service, Secret secret) throws Exception {
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
      throw new WriteNotKeptException(id);
    }
  }

  private String readOne(String service, String account) throws Exception {
    try {
      return access.read(service, account);
    } catch (KeyringAccess.DuplicateItemsException e) {
      throw new DuplicatesOnReadException(e);
    }
  }

  private boolean removeEvery(String service, String account) throws Exception {
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

  static String previousService(CredentialId id) {
    return PREVIOUS_PREFIX + id.service();
  }

  private void checkFits(Credential credential) {
    if (credential.id().service().startsWith(PREVIOUS_PREFIX)) {
      throw new IllegalArgumentException("service names starting with '" + PREVIOUS_PREFIX
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

  /**
   * Runs one keychain step on the worker thread within the timeout, first checking (without a
   * prompt) that the keychain is usable, and maps every failure onto the store-api exceptions.
   */
  private <T> T keychain(String action, CredentialId id, Callable<T> step)
      throws CredentialStoreException {
    try {
      return calls.call(() -> {
        requireUsable(access.state());
        return step.call();
      });
    } catch (CredentialStoreException e) {
      throw e;
    } catch (TimeoutException e) {
      SecretService.State state = stateAfterFailure();
      if (state == SecretService.State.LOCKED) {
        throw locked(action, id, e);
      }
      throw new BackendUnavailableException("the keychain did not answer within "
          + calls.timeout().toMillis() + " ms (" + action + " " + id + ")", e);
    } catch (DuplicatesOnReadException e) {
      throw new IntegrityException("several keychain items match " + id + " (left by concurrent"
          + " writers); storing or deleting the credential again repairs this", e.getCause());
    } catch (WriteNotKeptException e) {
      if (stateAfterFailure() == SecretService.State.LOCKED) {
        throw locked(action, id, e);
      }
      throw new StorageException("the keychain did not keep the secret written for " + id
          + " (reading it back gave a different value)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted during keychain " + action + " of " + id, e);
    } catch (Exception | Error e) {
      SecretService.State state = stateAfterFailure();
      if (state == SecretService.State.LOCKED || isLockedOnMac(e)) {
        throw locked(action, id, e);
      }
      if (state == SecretService.State.NOT_RUNNING
          || state == SecretService.State.NO_COLLECTION || state == null) {
        throw new BackendUnavailableException("the keychain is no longer reachable ("
            + action + " " + id + ")", e);
      }
      throw new StorageException("the keychain failed to " + action + " " + id, e);
    }
  }

  private static boolean isLockedOnMac(Throwable e) {
    return e instanceof PasswordAccessException pae
        && JavaKeyringAccess.classify(pae) == JavaKeyringAccess.Outcome.LOCKED;
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

  private AuthenticationException locked(String action, CredentialId id, Throwable cause) {
    return new AuthenticationException("the keychain is locked (" + action + " " + id
        + "); unlock it and retry", cause);
  }

  /** The keychain's state, or null if even that cannot be learned in time. */
  private SecretService.State stateAfterFailure() {
    try {
      return calls.call(access::state);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the keychain store has been closed");
    }
  }

  /** What a read found; holds secret strings briefly, never printed. */
  private static final class Fetched {
    final String current;
    final String previous;
    final Instant created;

    Fetched(String current, String previous, Instant created) {
      this.current = current;
      this.previous = previous;
      this.created = created == null ? null : created.truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public String toString() {
      return "Fetched[redacted]";
    }
  }

  private static final class WriteNotKeptException extends Exception {
    WriteNotKeptException(CredentialId id) {
      super("read-back of " + id + " differs from what was written");
    }
  }

  private static final class DuplicatesOnReadException extends Exception {
    DuplicatesOnReadException(Throwable cause) {
      super("duplicate keychain items", cause);
    }
  }
}
