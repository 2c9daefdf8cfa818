package dev.credstore.cli.session;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.api.StoreDescription;
import dev.credstore.runtime.StoreSettings;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A store chosen automatically, which remembers its backend after the first successful write
 * ({@link StoreSettings#rememberBackend}) and says so on stderr, so that later sessions (cron, ssh,
 * CI) use the same store instead of whatever they can reach.
 */
final class FirstWriteMemory implements CredentialStore {

  private final CredentialStore store;
  private final String backendId;
  private final StoreSettings settings;
  private final PrintWriter err;
  private boolean done;

  FirstWriteMemory(CredentialStore store, String backendId, StoreSettings settings,
      PrintWriter err) {
    this.store = store;
    this.backendId = backendId;
    this.settings = settings;
    this.err = err;
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    return store.get(id);
  }

  @Override
  public void create(Credential credential) throws CredentialStoreException {
    store.create(credential);
    remember();
  }

  @Override
  public void put(Credential credential) throws CredentialStoreException {
    store.put(credential);
    remember();
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    store.replace(expectedSecret, replacement);
    remember();
  }

  @Override
  public boolean delete(CredentialId id) throws CredentialStoreException {
    return store.delete(id);
  }

  @Override
  public List<CredentialMetadata> list() throws CredentialStoreException {
    return store.list();
  }

  @Override
  public List<CredentialMetadata> list(Consumer<String> warnings)
      throws CredentialStoreException {
    return store.list(warnings);
  }

  @Override
  public StoreDescription describe() {
    return store.describe();
  }

  @Override
  public void close() {
    store.close();
  }

  private void remember() {
    if (done) {
      return;
    }
    done = true;
    try {
      if (settings.rememberBackend(backendId)) {
        err.println("credstore: note: your credentials are now in the " + backendId
            + " backend; remembered in " + settings.backendMemoryFile() + ", so every later"
            + " session (cron, ssh and CI included) uses it");
      }
    } catch (CredentialStoreException e) {
      // The write itself succeeded; not remembering only leaves auto-selection as it was.
      err.println("credstore: warning: " + e.getMessage());
    }
  }
}
