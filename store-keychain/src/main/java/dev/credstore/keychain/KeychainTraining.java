package dev.credstore.keychain;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.keychain.dbus.SecretService;
import dev.credstore.keychain.dbus.TrainingBus;
import dev.credstore.spi.Probe;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * For a launcher's class-data-sharing training run ({@code bin/credstore}): runs the code of a
 * keychain read without a Secret Service, so that the classes a real {@code get} needs are in the
 * archive; a class missing there costs a cold JVM the opening of the 10k-entry jar. Touches no
 * keychain: the D-Bus messages go nowhere, the index lives in the caller's scratch directory, and
 * the store's keychain is one that refuses every call.
 */
public final class KeychainTraining {

  private KeychainTraining() {}

  /**
   * Serves, on {@code socket}, a session bus whose Secret Service holds credstore's item for
   * {@code service}/default with the secret "training-token", until closed: keychain commands
   * run against it with {@code DBUS_SESSION_BUS_ADDRESS=unix:path=<socket>} take the whole read
   * path of a real get. For training runs only.
   */
  public static AutoCloseable trainingBus(Path socket, String service) throws IOException {
    try (Secret secret = Secret.of("training-token");
        Credential credential = Credential.builder(CredentialId.of(service)).token(secret)
            .attribute("stackID", "1").build()) {
      byte[] utf8 = secret.revealUtf8();
      try {
        return TrainingBus.serve(socket, ItemLayout.current(credential.metadata()), utf8);
      } finally {
        java.util.Arrays.fill(utf8, (byte) 0);
      }
    }
  }

  /**
   * Runs it in {@code scratch}, a private directory the caller deletes.
   *
   * @throws IllegalStateException only if the code under training is itself broken
   */
  public static void run(Path scratch) {
    transfer();
    messages();
    handOver();
    store(scratch);
  }

  /** A ready probe handing over what it found, as the Secret Service probe does. */
  private static void handOver() {
    try (Probe probe = Probe.ready("cds-training", options -> {
      throw new BackendUnavailableException("training: nothing to open");
    }, () -> { })) {
      probe.open(null, null);
      throw new IllegalStateException("a training probe opened a store");
    } catch (CredentialStoreException expected) {
      // what the training opener says
    }
  }

  /** The transfer and the D-Bus messages of a read, and an item's attributes read back. */
  private static void transfer() {
    SecretService.exerciseOffline();
  }

  private static void messages() {
    try (Secret secret = Secret.of("training-token");
        Credential credential = Credential.builder(CredentialId.of("cds-training", "default"))
            .token(secret).attribute("stackID", "1").build()) {
      ItemLayout.metadata(ItemLayout.current(credential.metadata()));
    }
    try {
      SecretService.connect("unix:path=/nonexistent/credstore-training-bus").close();
      throw new IllegalStateException("a bus that does not exist answered");
    } catch (java.io.IOException expected) {
      // What connecting to a missing bus says; the classes on the way were the point.
    }
  }

  /** An index entry written and read, and a get from a keychain that refuses. */
  private static void store(Path scratch) {
    CredentialId id = CredentialId.of("cds-training", "default");
    Duration timeout = Duration.ofSeconds(5);
    KeychainIndex index = new KeychainIndex(scratch, timeout);
    try (Secret secret = Secret.of("training-token");
        Credential credential = Credential.builder(id).token(secret)
            .attribute("stackID", "1").build()) {
      index.locked(() -> {
        index.write(new TreeMap<>(Map.of(id, credential.metadata())));
        return null;
      });
    } catch (CredentialStoreException e) {
      throw new IllegalStateException("the keychain index cannot be written in " + scratch, e);
    }
    KeyringAccess refusing = new JavaKeyringAccess(() -> {
      throw new IOException("no keychain in a training run");
    });
    try (KeychainStore store = new KeychainStore(Platform.SECRET_SERVICE, refusing, index,
        new BoundedCalls(timeout), Clock.systemUTC())) {
      store.get(id);
      throw new IllegalStateException("a keychain that refuses every call answered");
    } catch (CredentialStoreException expected) {
      // What a get from an unreachable keychain says; the classes on its way were the point.
    }
  }
}
