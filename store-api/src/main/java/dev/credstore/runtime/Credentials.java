package dev.credstore.runtime;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.spi.StoreOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The token of one service and account, for applications that embed credstore instead of keeping
 * a token in their own config file. It follows the same rules as the {@code credstore} command:
 * the service's registered environment variable (e.g. {@code K6_CLOUD_TOKEN}) overrides the store,
 * and the store is chosen from {@code --backend}-equivalents, {@code CREDSTORE_BACKEND}, the config
 * file, or automatically, so a token stored with {@code credstore login k6} is what {@link
 * #resolve()} returns.
 *
 * <pre>{@code
 * try (Credentials k6 = Credentials.forService("k6");
 *     ResolvedToken token = k6.resolve()) {
 *   char[] bearer = token.secret().revealChars();
 *   // use it, then zero it
 * }
 * }</pre>
 *
 * <p>The store is opened on first use and kept open until {@link #close()}, so repeated calls
 * neither reopen it nor ask for the passphrase again (an encrypted file store derives its key
 * once). Passphrases come from {@link StoreSettings#configuredPassphrases()} (a passphrase file or
 * {@code CREDSTORE_PASSPHRASE}) unless the builder is given a {@link PassphraseSource}, for
 * instance the application's own prompt; with none, a locked store fails with {@link
 * dev.credstore.api.AuthenticationException} and never blocks. Thread-safe.
 */
public final class Credentials implements AutoCloseable {

  private final CredentialId id;
  private final StoreSettings settings;
  private final TokenResolver resolver;
  private final Optional<String> variable;
  private final PassphraseSource passphrases;
  private final Backends backends;
  private final Clock clock;

  private CredentialStore store;
  private boolean closed;

  private Credentials(Builder builder, StoreSettings settings, KnownServices services) {
    this.id = CredentialId.of(builder.service, builder.account);
    this.settings = settings;
    this.resolver = new TokenResolver(services, settings.environment());
    this.variable = services.find(id.service())
        .flatMap(definition -> definition.environmentVariables().stream().findFirst());
    this.passphrases = builder.passphrases != null
        ? builder.passphrases : settings.configuredPassphrases();
    this.backends = builder.backends;
    this.clock = builder.clock;
  }

  /**
   * The default account of {@code service}, configured from this process's environment.
   *
   * @throws ConfigurationException if credstore's config file is malformed
   * @throws StorageException if it cannot be read
   */
  public static Credentials forService(String service)
      throws ConfigurationException, StorageException {
    return builder(service).build();
  }

  /** Starts configuring access to {@code service}'s token. */
  public static Builder builder(String service) {
    return new Builder(service);
  }

  /** Which credential this object reads and writes. */
  public CredentialId id() {
    return id;
  }

  /**
   * The token: from the service's environment variable if set (default account only), else from
   * the store. The caller closes the result to zero the secret.
   *
   * @throws CredentialNotFoundException if neither has one; the message names the credential and
   *     the variable that would have supplied it (what to tell the user to do is the caller's
   *     wording, e.g. {@code credstore login SERVICE})
   * @throws CredentialStoreException as the store reports it (locked, tampered, unavailable, …)
   */
  public ResolvedToken resolve() throws CredentialStoreException {
    return resolver.resolveKeepingStoreOpen(id, true, this::store)
        .orElseThrow(() -> new CredentialNotFoundException(notFoundMessage()));
  }

  /**
   * Stores {@code token} (copied) with non-secret {@code attributes}, as {@code credstore login}
   * does.
   *
   * @throws CredentialConflictException if a token is already stored
   * @throws IllegalArgumentException if the token is blank or an attribute is invalid
   * @throws CredentialStoreException as the store reports it
   */
  public void login(Secret token, Map<String, String> attributes)
      throws CredentialStoreException {
    try (Credential credential = Credential.builder(id).token(token).attributes(attributes)
        .clock(clock).build()) {
      try {
        store().create(credential);
      } catch (CredentialConflictException e) {
        throw new CredentialConflictException("already logged in to " + id
            + "; log out first", e);
      }
    }
  }

  /**
   * Removes the stored token. Idempotent.
   *
   * @return whether one was stored
   * @throws CredentialStoreException as the store reports it
   */
  public boolean logout() throws CredentialStoreException {
    return store().delete(id);
  }

  /**
   * Replaces the stored token with {@code newToken} (copied), keeping the old one as the single
   * previous secret and stamping the rotation time. Atomic against concurrent rotations: if the
   * token changes between this method's read and its write, nothing is written.
   *
   * @throws CredentialNotFoundException if no token is stored
   * @throws CredentialConflictException if another process changed the token meanwhile
   * @throws CredentialStoreException as the store reports it
   */
  public void rotate(Secret newToken) throws CredentialStoreException {
    CredentialStore opened = store();
    try (Credential current = opened.get(id)
            .orElseThrow(() -> new CredentialNotFoundException(notFoundMessage()));
        Credential rotated = current.rotatedTo(newToken, clock.instant())) {
      opened.replace(current.secret(), rotated);
    }
  }

  /** Closes the store if it was opened, zeroing any key it holds. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    if (store != null) {
      store.close();
      store = null;
    }
  }

  @Override
  public String toString() {
    return "Credentials[" + id + "]";
  }

  private synchronized CredentialStore store() throws CredentialStoreException {
    if (closed) {
      throw new IllegalStateException("credentials for " + id + " are closed");
    }
    if (store == null) {
      StoreOptions options = settings.toOptions(passphrases);
      store = backends.select(settings, options).open(options);
    }
    return store;
  }

  private String notFoundMessage() {
    boolean overridable = variable.isPresent() && CredentialId.DEFAULT_ACCOUNT.equals(id.account());
    return "no token for " + id + (overridable ? " (none stored, and " + variable.get()
        + " is not set)" : " (none stored)");
  }

  /** Configures {@link Credentials}; every setting is optional. Not thread-safe. */
  public static final class Builder {
    private final String service;
    private String account;
    private Map<String, String> environment = System.getenv();
    private PassphraseSource passphrases;
    private String backend;
    private Path storeFile;
    private Backends backends;
    private Clock clock = Clock.systemUTC();

    private Builder(String service) {
      this.service = Objects.requireNonNull(service, "service");
    }

    /** The account within the service; {@value CredentialId#DEFAULT_ACCOUNT} by default. */
    public Builder account(String name) {
      this.account = name;
      return this;
    }

    /**
     * The environment to read settings and overriding variables from; this process's by default.
     */
    public Builder environment(Map<String, String> variables) {
      this.environment = Map.copyOf(variables);
      return this;
    }

    /** Where an encrypted store's passphrase comes from, e.g. the application's own prompt. */
    public Builder passphrases(PassphraseSource source) {
      this.passphrases = Objects.requireNonNull(source, "passphrases");
      return this;
    }

    /** A backend id ({@code keychain}, {@code file}) that overrides the configured choice. */
    public Builder backend(String id) {
      this.backend = Objects.requireNonNull(id, "backend");
      return this;
    }

    /** An encrypted store file that overrides the configured one. */
    public Builder storeFile(Path file) {
      this.storeFile = Objects.requireNonNull(file, "storeFile");
      return this;
    }

    Builder backends(Backends discovered) {
      this.backends = discovered;
      return this;
    }

    Builder clock(Clock time) {
      this.clock = time;
      return this;
    }

    /**
     * Reads credstore's settings and registry; opens nothing yet.
     *
     * @throws IllegalArgumentException if the service or account name is invalid
     * @throws ConfigurationException if the config file or a given backend name is invalid
     * @throws StorageException if the config file cannot be read
     */
    public Credentials build() throws ConfigurationException, StorageException {
      CredentialId.of(service, account); // validate names before touching any file
      StoreSettings settings = StoreSettings.load(environment);
      if (backend != null) {
        settings = settings.withBackend(backend, "the application");
      }
      if (storeFile != null) {
        settings = settings.withStoreFile(storeFile, "the application");
      }
      if (backends == null) {
        backends = Backends.discover();
      }
      return new Credentials(this, settings, KnownServices.load(settings));
    }
  }
}
