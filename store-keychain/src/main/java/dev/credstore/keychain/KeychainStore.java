package dev.credstore.keychain;

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
import dev.credstore.api.StoreDescription;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
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

  private final KeyringAccess access;
  private final KeychainIndex index;
  private final KeyringItems items;
  private final KeyringCalls keyring;
  // The worker thread under keyring, closed with the store.
  private final BoundedCalls calls;
  private final Clock clock;
  private final StoreDescription description;
  private volatile boolean closed;

  KeychainStore(Platform platform, KeyringAccess access, KeychainIndex index, BoundedCalls calls,
      Clock clock) {
    this.access = access;
    this.index = index;
    this.items = new KeyringItems(platform, access);
    this.keyring = new KeyringCalls(access, calls);
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
    Fetched fetched = keyring.run("read", id, () -> {
      String current = items.readOne(id.service(), id.account());
      if (current == null) {
        return null;
      }
      String previous = wantPrevious ? items.readOne(previousService(id), id.account()) : null;
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
    items.checkFits(credential);
    index.locked(() -> {
      CredentialId id = credential.id();
      boolean present = keyring.run("check", id, () -> items.readOne(id.service(), id.account()) != null);
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
    items.checkFits(credential);
    index.locked(() -> {
      store(credential);
      return null;
    });
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    checkOpen();
    items.checkFits(replacement);
    index.locked(() -> {
      CredentialId id = replacement.id();
      Boolean matches = keyring.run("check", id, () -> {
        String current = items.readOne(id.service(), id.account());
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
      boolean removed = keyring.run("delete", id, () -> {
        boolean main = items.removeEvery(id.service(), id.account());
        items.removeEvery(previousService(id), id.account());
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
    keyring.run("store", id, () -> {
      before[0] = items.readOne(id.service(), id.account());
      items.writeVerified(id, id.service(), credential.secret());
      Optional<Secret> previous = credential.previousSecret();
      if (previous.isPresent()) {
        items.writeVerified(id, previousService(id), previous.get());
      } else {
        items.removeEvery(previousService(id), id.account());
      }
      return null;
    });
    entries.put(id, credential.metadata());
    try {
      index.write(entries);
    } catch (CredentialStoreException e) {
      // Best effort: put the old secret back so the store stays as it was.
      try {
        keyring.run("restore", id, () -> {
          if (before[0] == null) {
            items.removeEvery(id.service(), id.account());
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

  static String previousService(CredentialId id) {
    return PREVIOUS_PREFIX + id.service();
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
}
