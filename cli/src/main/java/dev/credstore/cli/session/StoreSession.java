package dev.credstore.cli.session;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.StorageException;
import dev.credstore.api.StoreDescription;
import dev.credstore.cli.console.ConsolePassphraseSource;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.Formats;
import dev.credstore.runtime.BackendStatus;
import dev.credstore.runtime.Backends;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ResolvedToken;
import dev.credstore.runtime.SelectedBackend;
import dev.credstore.runtime.StoreSettings;
import dev.credstore.runtime.TokenResolver;
import dev.credstore.spi.StoreOptions;
import dev.credstore.spi.UserDirectories;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Collectors;

/** Settings from flags, environment and config file; backend selection; opening the store. */
public final class StoreSession {

  public final StoreSettings settings;
  public final StoreOptions options;
  public final Backends backends;

  private StoreSession(StoreSettings settings, StoreOptions options, Backends backends) {
    this.settings = settings;
    this.options = options;
    this.backends = backends;
  }

  /** Reads settings (flags win over the environment, which wins over config.json). */
  public static StoreSession load(Context context, GlobalOptions global)
      throws ConfigurationException, StorageException {
    return load(context, global, new ConsolePassphraseSource(context.terminal()));
  }

  private static StoreSession load(Context context, GlobalOptions global,
      PassphraseSource last) throws ConfigurationException, StorageException {
    StoreSettings settings = StoreSettings.load(context.environment());
    if (global.backend() != null) {
      settings = settings.withBackend(global.backend(), GlobalOptions.Flag.BACKEND.flagName());
    }
    if (global.store() != null) {
      settings = settings.withStoreFile(global.store(), GlobalOptions.Flag.STORE.flagName());
    }
    if (global.passphraseFile() != null) {
      settings = settings.withPassphraseFile(global.passphraseFile(),
          GlobalOptions.Flag.PASSPHRASE_FILE.flagName());
    }
    PassphraseSource passphrases = PassphraseSource.firstOf(settings.configuredPassphrases(), last);
    return new StoreSession(settings, settings.toOptions(passphrases), Backends.discover());
  }

  /** This session with {@code passphrases} as its only passphrase source (stdin, or none). */
  public StoreSession withPassphrases(PassphraseSource passphrases) {
    return new StoreSession(settings, options.toBuilder().passphrases(passphrases).build(),
        backends);
  }

  public SelectedBackend select() throws CredentialStoreException {
    StartupWork.nameTheDefaultSelectorProvider();
    return backends.select(settings, options);
  }

  /**
   * Selects and opens the store; when automatic selection passed over a better backend, says so on
   * {@code err}, never silently.
   */
  public Opened open(PrintWriter err) throws CredentialStoreException {
    return open(select(), err);
  }

  /**
   * Opens the store for a credential helper run by {@code client} ("git", "Docker"), whose stderr
   * the client shows on every call: so no note about automatic selection (unless --verbose), and a
   * missing passphrase names what the client can pass, not credstore's own flags. A terminal
   * prompt is still tried first.
   */
  public static Opened openForHelper(Context context, GlobalOptions global, String client,
      PrintWriter err) throws CredentialStoreException {
    PassphraseSource console = new ConsolePassphraseSource(context.terminal());
    StoreSession[] session = new StoreSession[1]; // the hint names its config file
    PassphraseSource hint = (purpose, location) -> {
      throw new AuthenticationException("store " + location + " needs a passphrase, which "
          + client + " cannot prompt for: set " + StoreSettings.PASSPHRASE_FILE_VARIABLE
          + " (a mode 600 file) in " + client + "'s environment, or \"passphraseFile\" in "
          + Formats.tilde(session[0].settings.configFile().toString(),
              context.environment().get("HOME"))
          + ", or use an unlocked keychain (\"backend\": \"keychain\")");
    };
    session[0] = load(context, global, PassphraseSource.firstOf(console, hint));
    return session[0].open(session[0].select(), err, global.verbose());
  }

  /** Opens {@code selected}, noting on {@code err} any better backend it stands in for. */
  public Opened open(SelectedBackend selected, PrintWriter err) throws CredentialStoreException {
    return open(selected, err, true);
  }

  private Opened open(SelectedBackend selected, PrintWriter err, boolean notes)
      throws CredentialStoreException {
    if (notes && !selected.passedOver().isEmpty()) {
      err.println("credstore: note: using " + selected.id() + " because "
          + selected.passedOver().stream()
              .map(s -> s.id() + " is unavailable (" + s.reason() + ")")
              .collect(Collectors.joining("; "))
          + "; choose it with --backend " + selected.id() + " or " + StoreSettings.BACKEND_VARIABLE
          + "=" + selected.id() + " to silence this note");
    }
    if (notes && !selected.otherStores().isEmpty()) {
      err.println("credstore: note: using " + selected.id() + ", but credentials also exist in "
          + String.join("; ", selected.otherStores()) + "; they are not visible through "
          + selected.id() + " (choose with --backend or " + StoreSettings.BACKEND_VARIABLE + ")");
    }
    CredentialStore store = selected.open(options);
    // A helper remembers the backend as quietly as it does everything else: git and Docker show
    // its stderr on every fetch and pull.
    PrintWriter noteTo = notes ? err : new PrintWriter(Writer.nullWriter());
    return new Opened(selected, StoreSettings.AUTO.equals(settings.backend().value())
        ? new FirstWriteMemory(store, selected.id(), settings, noteTo) : store, store, settings);
  }

  /**
   * The secret {@code get} and {@code exec} hand out: for the default account the service's
   * variable when {@code useEnvironment}, else the stored one (opening the store only then).
   *
   * @throws CredentialNotFoundException naming the login command, if there is neither
   */
  public ResolvedToken resolveToken(KnownServices services, CredentialId id,
      boolean useEnvironment, PrintWriter err) throws CredentialStoreException {
    Optional<ResolvedToken> found = new TokenResolver(services, settings.environment())
        .resolve(id, useEnvironment, () -> open(err).store());
    return found.orElseThrow(() -> new CredentialNotFoundException("not logged in to "
        + Describe.id(id) + "; run: " + Describe.command("login", id)));
  }

  /**
   * An open store and how it was chosen. {@code backendStore} is the backend's own store object,
   * for its own interfaces (PassphraseProtectedStore); {@code store} is it, or wraps it to
   * remember the backend at the first write.
   */
  public record Opened(SelectedBackend selected, CredentialStore store,
      CredentialStore backendStore, StoreSettings settings) implements AutoCloseable {

    /**
     * Where the store is, short enough for a confirmation: "the file store at ~/…" or "the
     * keychain (Secret Service …)". The full description is in 'credstore status'.
     */
    public String where() {
      StoreDescription description = store.describe();
      if (description.backend().equals("keychain")) {
        return "the keychain (" + description.summary() + ")";
      }
      return "the " + description.backend() + " store at "
          + Formats.tilde(description.location(), settings.environment().get("HOME"));
    }

    @Override
    public void close() {
      store.close();
    }
  }

  static String describe(BackendStatus status) {
    return status.id() + (status.available() ? " available" : " unavailable")
        + " (" + status.reason() + ")";
  }

  public static Path home(Context context) {
    return UserDirectories.of(context.environment()).home();
  }
}
