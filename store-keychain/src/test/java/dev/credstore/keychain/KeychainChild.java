package dev.credstore.keychain;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * A child JVM for {@link KeychainFailureModesTest}: runs one scenario against whatever session bus
 * its environment names and prints {@code key=value} lines. Returning from main must end the
 * process; a lingering non-daemon thread would make the parent's bounded wait fail.
 */
final class KeychainChild {

  private KeychainChild() {}

  public static void main(String[] args) throws Exception {
    String scenario = args[0];
    StoreOptions options = StoreOptions.builder().dataDirectory(Path.of(args[1]))
        .operationTimeout(Duration.ofSeconds(5)).environment(System.getenv()).build();
    KeychainStoreProvider provider = new KeychainStoreProvider();
    CredentialId id = CredentialId.of("credstore-child-test");
    if (scenario.equals("locked")) {
      try (CredentialStore store = provider.open(options);
          Secret secret = Secret.of("child-secret");
          Credential credential = Credential.builder(id).token(secret).build()) {
        store.put(credential);
        Process lock = new ProcessBuilder("dbus-send", "--session", "--print-reply",
            "--dest=org.freedesktop.secrets", "/org/freedesktop/secrets",
            "org.freedesktop.Secret.Service.Lock",
            "array:objpath:/org/freedesktop/secrets/collection/login")
            .redirectErrorStream(true).start();
        lock.getInputStream().readAllBytes();
        print("lock.exit", String.valueOf(lock.waitFor()));
        probe(provider, options);
        timed("get", () -> store.get(id));
        timed("put", () -> {
          store.put(credential);
          return null;
        });
        timed("delete", () -> store.delete(id));
      }
    } else {
      probe(provider, options);
    }
    timed("open", () -> {
      provider.open(options).close();
      return null;
    });
    print("done", "true");
  }

  private static void probe(KeychainStoreProvider provider, StoreOptions options) {
    long start = System.nanoTime();
    Probe availability = provider.probe(options);
    print("probe.ms", String.valueOf((System.nanoTime() - start) / 1_000_000));
    print("probe.available", String.valueOf(availability.usable()));
    print("probe.reason", availability.reason());
  }

  private static void timed(String what, Callable<?> action) {
    long start = System.nanoTime();
    String outcome;
    try {
      action.call();
      outcome = "ok";
    } catch (Exception e) {
      outcome = e.getClass().getSimpleName();
      print(what + ".message", String.valueOf(e.getMessage()));
    }
    print(what + ".ms", String.valueOf((System.nanoTime() - start) / 1_000_000));
    print(what, outcome);
  }

  private static void print(String key, String value) {
    System.out.println(key + "=" + value.replace('\n', ' '));
  }
}
