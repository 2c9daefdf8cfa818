package dev.credstore.keychain;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.spi.Probe;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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

  /** Two throw-away sessions agree, and one secret is sealed and opened. */
  private static void transfer() {
    try (SecretTransfer ours = SecretTransfer.start();
        SecretTransfer service = SecretTransfer.start()) {
      ours.agree(service.publicKey());
      service.agree(ours.publicKey());
      byte[] iv = new byte[16];
      byte[] opened = ours.decrypt(iv, service.encrypt(iv, new byte[20]));
      Arrays.fill(opened, (byte) 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the Secret Service transfer does not round-trip", e);
    }
  }

  /** The calls a read makes, encoded and parsed back. */
  private static void messages() {
    try {
      DBusWire.encodeCall(1, SecretServiceBus.SERVICE_NAME, SecretServiceBus.DEFAULT_COLLECTION,
          SecretServiceBus.COLLECTION_IFACE, "SearchItems", "D",
          List.of(Map.of("service", "cds-training", "account", "default")));
      DBusWire.encodeCall(2, SecretServiceBus.SERVICE_NAME, SecretServiceBus.SERVICE_PATH,
          SecretServiceBus.SERVICE_IFACE, "OpenSession", "sv",
          List.of(SecretTransfer.ALGORITHM, new byte[128]));
      DBusWire.Reader call = DBusWire.parse(ByteBuffer.wrap(DBusWire.encodeCall(3,
          SecretServiceBus.SERVICE_NAME, "/org/freedesktop/secrets/collection/login/1",
          SecretServiceBus.ITEM_IFACE, "GetSecret", "o", List.of("/session/1"))));
      call.readString();
      call.wipe();
    } catch (IOException e) {
      throw new IllegalStateException("the D-Bus client cannot parse its own message", e);
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
    }, null);
    try (KeychainStore store = new KeychainStore(Platform.SECRET_SERVICE, refusing, index,
        new BoundedCalls(timeout), Clock.systemUTC())) {
      store.get(id);
      throw new IllegalStateException("a keychain that refuses every call answered");
    } catch (CredentialStoreException expected) {
      // What a get from an unreachable keychain says; the classes on its way were the point.
    }
  }
}
