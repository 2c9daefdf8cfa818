package dev.credstore.keychain;

import com.github.javakeyring.Keyring;
import com.github.javakeyring.KeyringStorageType;
import dev.credstore.keychain.dbus.BusConnection;
import dev.credstore.keychain.dbus.SecretService;
import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The OS keychain backend ({@code keychain}): a Secret Service (GNOME Keyring, KeePassXC) on Linux
 * through credstore's own D-Bus client, or the macOS Keychain and Windows Credential Manager
 * through java-keyring. See the module README for where items and metadata live.
 */
public final class KeychainStoreProvider implements CredentialStoreProvider {

  static final String BUS_VARIABLE = "DBUS_SESSION_BUS_ADDRESS";
  // Well inside Backends.PROBE_LIMIT, so a slow bus reads as "unavailable", not as a hang.
  private static final Duration PROBE_BUDGET = Duration.ofMillis(1000);

  private final String osName;

  public KeychainStoreProvider() {
    this(System.getProperty("os.name"));
  }

  KeychainStoreProvider(String osName) {
    this.osName = osName;
  }

  @Override
  public String id() {
    return "keychain";
  }

  @Override
  public String description() {
    return Platform.forOsName(osName).map(Platform::summary).orElse("OS keychain");
  }

  @Override
  public int priority() {
    return 100;
  }

  @Override
  public Probe probe(StoreOptions options) {
    Platform platform = Platform.forOsName(osName).orElse(null);
    if (platform == null) {
      return Probe.unavailable("no supported OS keychain on " + osName);
    }
    return switch (platform) {
      case MACOS -> Files.isExecutable(Path.of("/usr/bin/security"))
          ? Probe.ready("macOS Keychain")
          : Probe.unavailable("macOS Keychain tools (/usr/bin/security) not found");
      case WINDOWS -> Probe.ready("Windows Credential Manager");
      case SECRET_SERVICE -> probeSecretService(options);
    };
  }

  /**
   * Probes the Secret Service. A ready one hands its live connection to the open() that normally
   * follows (select, then open): each new connection is a socket, an authentication and a Hello,
   * which a cold JVM pays for in milliseconds.
   */
  private Probe probeSecretService(StoreOptions options) {
    String address = options.environment().get(BUS_VARIABLE);
    if (address == null || address.isBlank()) {
      return Probe.unavailable("no D-Bus session bus (" + BUS_VARIABLE + " is not set)");
    }
    try {
      Path socket = BusConnection.socketPath(address);
      if (!Files.exists(socket)) {
        return Probe.unavailable("the D-Bus session bus socket " + socket
            + " does not exist");
      }
    } catch (IOException e) {
      return Probe.unavailable(e.getMessage());
    }
    Duration budget = min(options.operationTimeout(), PROBE_BUDGET);
    Connected connected;
    try {
      connected = BoundedCalls.onceClosingLate(() -> {
        SecretService bus = SecretService.connect(address);
        try {
          return new Connected(bus, bus.state());
        } catch (IOException | RuntimeException e) {
          bus.close();
          throw e;
        }
      }, budget);
    } catch (TimeoutException e) {
      return Probe.unavailable("the D-Bus session bus did not answer within "
          + budget.toMillis() + " ms");
    } catch (Exception e) {
      return Probe.unavailable("cannot talk to the D-Bus session bus: " + e.getMessage());
    }
    SecretService bus = connected.bus();
    if (connected.state() == SecretService.State.READY) {
      return Probe.ready("Secret Service on the session bus",
          opened -> openSecretService(opened, bus), bus);
    }
    bus.close();
    return switch (connected.state()) {
      case READY -> throw new AssertionError("handled above");
      // Usable, not unavailable: falling back to a file silently would scatter credentials;
      // open() then says to unlock, which is what the user has to do.
      case LOCKED -> Probe.needsUnlock("Secret Service on the session bus; its default"
          + " collection is locked and must be unlocked before use");
      case NO_COLLECTION -> Probe.unavailable(
          "the Secret Service on the session bus has no default collection (no login keyring)");
      case NOT_RUNNING -> Probe.unavailable("no Secret Service is running on the session"
          + " bus (org.freedesktop.secrets has no owner); start gnome-keyring or another Secret"
          + " Service, or use the file backend");
    };
  }

  /**
   * How many credentials credstore keeps in the default collection, asked over the session bus
   * within the probe's budget; empty without a reachable, unlocked Secret Service.
   */
  @Override
  public Optional<String> existingData(StoreOptions options) {
    if (Platform.forOsName(osName).orElse(null) != Platform.SECRET_SERVICE) {
      return Optional.empty(); // java-keyring cannot enumerate; the index is no proof
    }
    try (Probe probe = probeSecretService(options)) {
      if (probe.state() != Probe.State.READY) {
        return Optional.empty();
      }
      String address = options.environment().get(BUS_VARIABLE);
      Integer count = BoundedCalls.once(() -> {
        try (SecretService bus = SecretService.connect(address)) {
          return bus.searchDefaultCollection(ItemLayout.marked(ItemLayout.CURRENT_SCHEMA)).size();
        }
      }, min(options.operationTimeout(), PROBE_BUDGET));
      return count == 0 ? Optional.empty()
          : Optional.of(count + " credential" + (count == 1 ? "" : "s")
              + " in the Secret Service default collection");
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** A probe's connection and what it found there; closing it closes the connection. */
  private record Connected(SecretService bus, SecretService.State state)
      implements AutoCloseable {
    @Override
    public void close() {
      bus.close();
    }
  }

  @Override
  public CredentialStore open(StoreOptions options) throws CredentialStoreException {
    Objects.requireNonNull(options, "options");
    Platform platform = Platform.forOsName(osName).orElseThrow(() ->
        new BackendUnavailableException("no supported OS keychain on " + osName
            + "; use the file backend"));
    if (platform == Platform.SECRET_SERVICE) {
      // Not probed just before (a caller that skipped selection): probe now, for its checks
      // and reasons, and open with the connection it found.
      Probe probe = probeSecretService(options);
      if (probe.state() == Probe.State.NEEDS_UNLOCK) {
        throw lockedCollection();
      }
      if (!probe.usable()) {
        throw new BackendUnavailableException("the keychain is unavailable: " + probe.reason());
      }
      return probe.open(this, options);
    }
    return openWith(platform, options);
  }

  // Takes ownership of bus.
  private CredentialStore openSecretService(StoreOptions options, SecretService bus)
      throws CredentialStoreException {
    bus.prepareTransfer();
    BoundedCalls calls = new BoundedCalls(options.operationTimeout());
    SecretServiceStore store = null;
    try {
      // The probe that handed over the bus found the collection unlocked just now: no second ask.
      store = new SecretServiceStore(bus, calls, new WriteLock(
          options.dataDirectory().resolve("keychain.lock"), options.operationTimeout()),
          Clock.systemUTC());
      // First use after credstore 0.1: its items and index become marked items. Checked before
      // KeychainIndex exists, whose JSON set-up a get should not pay for.
      if (Files.exists(options.dataDirectory().resolve(KeychainIndex.FILE_NAME))) {
        store.upgradeFrom(new KeychainIndex(options.dataDirectory(), options.operationTimeout()));
      }
      SecretServiceStore opened = store;
      store = null;
      bus = null;
      calls = null;
      return opened;
    } finally {
      if (store != null) {
        store.close(); // closes bus and calls too
      } else {
        if (bus != null) {
          bus.close();
        }
        if (calls != null) {
          calls.close();
        }
      }
    }
  }

  private CredentialStore openWith(Platform platform, StoreOptions options)
      throws CredentialStoreException {
    BoundedCalls calls = new BoundedCalls(options.operationTimeout());
    try {
      KeychainStore store = new KeychainStore(platform,
          new JavaKeyringAccess(createKeyring(platform, calls)),
          new KeychainIndex(options.dataDirectory(), options.operationTimeout()), calls,
          Clock.systemUTC());
      calls = null;
      return store;
    } finally {
      if (calls != null) {
        calls.close();
      }
    }
  }

  private static AuthenticationException lockedCollection() {
    return new AuthenticationException("the keychain's default collection is locked; unlock it"
        + " (log in to the desktop, or use your keyring manager) and retry; credstore never"
        + " opens an unlock prompt itself");
  }

  private static Keyring createKeyring(Platform platform, BoundedCalls calls)
      throws CredentialStoreException {
    AtomicBoolean abandoned = new AtomicBoolean();
    try {
      return calls.call(() -> {
        Keyring keyring = Keyring.create(platform == Platform.MACOS
            ? KeyringStorageType.OSX_KEYCHAIN : KeyringStorageType.WINDOWS_CREDENTIAL_STORE);
        if (abandoned.get()) {
          // Nobody will use it, and its D-Bus threads would keep the JVM alive.
          keyring.close();
        }
        return keyring;
      });
    } catch (TimeoutException e) {
      abandoned.set(true);
      throw new BackendUnavailableException("the keychain did not open within "
          + calls.timeout().toMillis() + " ms", e);
    } catch (Exception | LinkageError e) {
      throw new BackendUnavailableException("cannot open " + platform.summary(), e);
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

}
