package dev.credstore.keychain;

import com.github.javakeyring.Keyring;
import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StoreOptions;
import dev.credstore.spi.Availability;
import dev.credstore.spi.CredentialStoreProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The OS keychain backend ({@code keychain}): macOS Keychain, Windows Credential Manager, or a
 * Secret Service (GNOME Keyring, KeePassXC) on Linux, through java-keyring. See the module README
 * for where items and metadata live.
 */
public final class KeychainStoreProvider implements CredentialStoreProvider {

  static final String BUS_VARIABLE = "DBUS_SESSION_BUS_ADDRESS";
  // Well inside Backends.PROBE_LIMIT, so a slow bus reads as "unavailable", not as a hang.
  private static final Duration PROBE_BUDGET = Duration.ofMillis(1000);
  // How long a probe's connection may wait for open() before a fresh one is made instead.
  private static final long PROBE_REUSE_NANOS = Duration.ofSeconds(10).toNanos();

  private final String osName;
  // The last probe's live connection, kept for open(); guarded by this provider's lock.
  private SecretServiceBus kept;
  private String keptAddress;
  private long keptNanos;

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
  public Availability probe(StoreOptions options) {
    Platform platform = Platform.forOsName(osName).orElse(null);
    if (platform == null) {
      return Availability.unavailable("no supported OS keychain on " + osName);
    }
    return switch (platform) {
      case MACOS -> Files.isExecutable(Path.of("/usr/bin/security"))
          ? Availability.available("macOS Keychain")
          : Availability.unavailable("macOS Keychain tools (/usr/bin/security) not found");
      case WINDOWS -> Availability.available("Windows Credential Manager");
      case SECRET_SERVICE -> probeSecretService(options);
    };
  }

  private Availability probeSecretService(StoreOptions options) {
    String address = options.environment().get(BUS_VARIABLE);
    if (address == null || address.isBlank()) {
      return Availability.unavailable("no D-Bus session bus (" + BUS_VARIABLE + " is not set)");
    }
    try {
      Path socket = DBusWire.socketPath(address);
      if (!Files.exists(socket)) {
        return Availability.unavailable("the D-Bus session bus socket " + socket
            + " does not exist");
      }
    } catch (IOException e) {
      return Availability.unavailable(e.getMessage());
    }
    Duration budget = min(options.operationTimeout(), PROBE_BUDGET);
    SecretServiceBus.State state;
    try {
      state = BoundedCalls.once(() -> {
        SecretServiceBus bus = SecretServiceBus.connect(address);
        SecretServiceBus.State seen;
        try {
          seen = bus.state();
        } catch (IOException | RuntimeException e) {
          bus.close();
          throw e;
        }
        // Kept here, not by the caller, so that a probe that answers after its time is up
        // leaves no connection open that nobody would close.
        if (seen == SecretServiceBus.State.READY || seen == SecretServiceBus.State.LOCKED) {
          keepForOpen(address, bus);
        } else {
          bus.close();
        }
        return seen;
      }, budget);
    } catch (TimeoutException e) {
      return Availability.unavailable("the D-Bus session bus did not answer within "
          + budget.toMillis() + " ms");
    } catch (Exception e) {
      return Availability.unavailable("cannot talk to the D-Bus session bus: " + e.getMessage());
    }
    return switch (state) {
      case READY -> Availability.available("Secret Service on the session bus");
      // Still "available": falling back to a file silently would scatter credentials; open()
      // then says to unlock, which is what the user has to do.
      case LOCKED -> Availability.available("Secret Service on the session bus; its default"
          + " collection is locked and must be unlocked before use");
      case NO_COLLECTION -> Availability.unavailable(
          "the Secret Service on the session bus has no default collection (no login keyring)");
      case NOT_RUNNING -> Availability.unavailable("no Secret Service is running on the session"
          + " bus (org.freedesktop.secrets has no owner); start gnome-keyring or another Secret"
          + " Service, or use the file backend");
    };
  }

  /**
   * Keeps the probe's connection for the open() that normally follows it (select, then open):
   * each new connection is a socket, an authentication and a Hello, which a cold JVM pays for in
   * milliseconds. An unclaimed one is closed by the next probe or at exit.
   */
  private void keepForOpen(String address, SecretServiceBus bus) {
    SecretServiceBus previous;
    synchronized (this) {
      previous = kept;
      kept = bus;
      keptAddress = address;
      keptNanos = System.nanoTime();
    }
    if (previous != null) {
      previous.close();
    }
  }

  /** The kept connection to {@code address}, if it is fresh; the caller owns it. */
  private SecretServiceBus takeProbed(String address) {
    SecretServiceBus bus;
    boolean fresh;
    synchronized (this) {
      bus = kept;
      fresh = address.equals(keptAddress) && System.nanoTime() - keptNanos < PROBE_REUSE_NANOS;
      kept = null;
      keptAddress = null;
    }
    if (bus == null || fresh) {
      return bus;
    }
    bus.close();
    return null;
  }

  @Override
  public CredentialStore open(StoreOptions options) throws CredentialStoreException {
    Objects.requireNonNull(options, "options");
    Platform platform = Platform.forOsName(osName).orElseThrow(() ->
        new BackendUnavailableException("no supported OS keychain on " + osName
            + "; use the file backend"));
    SecretServiceBus bus = null;
    BoundedCalls calls = new BoundedCalls(options.operationTimeout());
    try {
      if (platform == Platform.SECRET_SERVICE) {
        bus = connectSecretService(options, calls);
      }
      // On Linux reads need only the bus; java-keyring (dbus-java, ~1 s) starts at the first write.
      JavaKeyringAccess access = platform == Platform.SECRET_SERVICE
          ? new JavaKeyringAccess(() -> Keyring.create(platform.storageType()), bus)
          : new JavaKeyringAccess(createKeyring(platform, calls), bus);
      KeychainStore store = new KeychainStore(platform, access,
          new KeychainIndex(options.dataDirectory(), options.operationTimeout()), calls,
          Clock.systemUTC());
      bus = null;
      calls = null;
      return store;
    } finally {
      if (bus != null) {
        bus.close();
      }
      if (calls != null) {
        calls.close();
      }
    }
  }

  /**
   * Checks the Secret Service before java-keyring touches it: without an owner of
   * org.freedesktop.secrets java-keyring would start one by D-Bus activation, and on a locked
   * collection it would open an unlock prompt that blocks for minutes.
   */
  private SecretServiceBus connectSecretService(StoreOptions options, BoundedCalls calls)
      throws CredentialStoreException {
    String address = options.environment().get(BUS_VARIABLE);
    SecretServiceBus bus = address == null ? null : takeProbed(address);
    if (bus == null) {
      // Not probed just before (a caller that skipped selection): probe now, for its checks
      // and reasons, and take the connection it kept.
      Availability availability = probeSecretService(options);
      if (!availability.available()) {
        throw new BackendUnavailableException("the keychain is unavailable: "
            + availability.reason());
      }
      bus = takeProbed(address);
      if (bus == null) {
        throw new BackendUnavailableException("the keychain is unavailable: its D-Bus"
            + " connection closed between the probe and opening the store");
      }
    }
    // java-keyring reads the process environment, not StoreOptions; both must name one bus.
    if (!address.equals(System.getenv(BUS_VARIABLE))) {
      bus.close();
      throw new ConfigurationException("the keychain can only use this process's session bus ("
          + BUS_VARIABLE + " in the options differs from the process environment)");
    }
    SecretServiceBus.State state;
    try {
      state = calls.call(bus::state);
    } catch (Exception e) {
      bus.close();
      throw new BackendUnavailableException("the Secret Service did not answer", e);
    }
    if (state == SecretServiceBus.State.LOCKED) {
      bus.close();
      throw new AuthenticationException("the keychain's default collection is locked; unlock it"
          + " (log in to the desktop, or use your keyring manager) and retry; credstore never"
          + " opens an unlock prompt itself");
    }
    return bus;
  }

  private static Keyring createKeyring(Platform platform, BoundedCalls calls)
      throws CredentialStoreException {
    AtomicBoolean abandoned = new AtomicBoolean();
    try {
      return calls.call(() -> {
        Keyring keyring = Keyring.create(platform.storageType());
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
