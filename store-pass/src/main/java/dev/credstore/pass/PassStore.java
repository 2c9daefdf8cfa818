package dev.credstore.pass;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.api.StoreDescription;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Credentials as pass entries {@code credstore/<service>/<account>} (see {@link EntryNames},
 * {@link EntryFormat}). Reads decrypt with gpg ({@link PassEntries}); writes encrypt to the entry's
 * recipients, replace the file atomically ({@link PrivateFiles#replace}) and commit the change when
 * the store is a git repository ({@link PassWrites}). Writers serialise on a {@link PrivateLock}
 * in credstore's data directory.
 */
final class PassStore implements CredentialStore {

  static final String ROOT = "credstore";
  static final String SUMMARY = "pass (GPG-encrypted entries, synced with git)";

  private final PassDirectory directory;
  private final Duration timeout;
  private final PassEntries entries;
  private final PassWrites writes;
  // Made at the first describe(): it asks git for the remotes, which a get does not need.
  private volatile String description;
  private volatile boolean closed;

  PassStore(PassDirectory directory, Path dataDirectory, Duration timeout) {
    this.directory = directory;
    this.timeout = timeout;
    // open() checked that gpg is on the PATH of the options' environment, not the JVM's.
    Gpg gpg = new Gpg(directory.program("gpg").orElse(Path.of("gpg")), directory.environment,
        timeout);
    this.entries = new PassEntries(directory, gpg);
    this.writes = new PassWrites(directory, entries, dataDirectory, gpg, timeout);
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    checkOpen();
    Optional<EntryFormat.Entry> entry = entries.read(id);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(entry.get().credential);
  }

  @Override
  public void create(Credential credential) throws CredentialStoreException {
    withWriteLock(credential.id(), () -> {
      if (Files.exists(entries.file(credential.id()), LinkOption.NOFOLLOW_LINKS)) {
        throw new CredentialConflictException("pass entry " + name(credential.id())
            + " already exists");
      }
      writes.write(credential, List.of(), "Add given password for " + name(credential.id())
          + " to store.");
    });
  }

  @Override
  public void put(Credential credential) throws CredentialStoreException {
    withWriteLock(credential.id(), () -> {
      List<String> kept = List.of();
      Optional<EntryFormat.Entry> existing = entries.read(credential.id());
      if (existing.isPresent()) {
        try (EntryFormat.Entry entry = existing.get()) {
          kept = entry.foreignLines;
        }
      }
      writes.write(credential, kept, "Add given password for " + name(credential.id())
          + " to store.");
    });
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    withWriteLock(replacement.id(), () -> {
      List<String> kept;
      try (EntryFormat.Entry entry = entries.read(replacement.id()).orElseThrow(() ->
          new CredentialNotFoundException("no pass entry " + name(replacement.id())))) {
        if (!entry.credential.secret().sameAs(expectedSecret)) {
          throw new CredentialConflictException("the secret of pass entry "
              + name(replacement.id()) + " changed since it was read; nothing was replaced");
        }
        kept = entry.foreignLines;
      }
      writes.write(replacement, kept, "Rotate password for " + name(replacement.id()) + ".");
    });
  }

  @Override
  public boolean delete(CredentialId id) throws CredentialStoreException {
    boolean[] deleted = {false};
    withWriteLock(id, () -> deleted[0] = writes.delete(id));
    return deleted[0];
  }

  @Override
  public List<CredentialMetadata> list() throws CredentialStoreException {
    checkOpen();
    return entries.list();
  }

  private void withWriteLock(CredentialId id, PassWrites.LockedAction action)
      throws CredentialStoreException {
    checkOpen();
    writes.locked(id, action);
  }

  private static String name(CredentialId id) {
    return EntryNames.entryName(id);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("pass store " + directory.root + " is closed");
    }
  }

  @Override
  public StoreDescription describe() {
    String summary = description;
    if (summary == null) {
      summary = "pass store, " + directory.describe(timeout);
      description = summary;
    }
    return new StoreDescription(PassStoreProvider.ID, summary, directory.root.toString());
  }

  @Override
  public void close() {
    closed = true;
  }
}
