package dev.credstore.file;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import java.nio.file.Path;

/**
 * A separate writer process for the multi-process tests. Usage:
 * {@code distinct STORE PREFIX COUNT} puts COUNT credentials named PREFIX-i;
 * {@code churn STORE COUNT} rewrites credentials in a loop, printing each acknowledged write.
 * The passphrase comes from {@code CREDSTORE_PASSPHRASE}.
 */
public final class StoreWriterMain {

  private StoreWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path store = Path.of(args[1]);
    String passphrase = System.getenv("CREDSTORE_PASSPHRASE");
    try (FileCredentialStore files = TestStores.open(store, passphrase)) {
      if (args[0].equals("distinct")) {
        int count = Integer.parseInt(args[3]);
        for (int i = 0; i < count; i++) {
          put(files, args[2] + "-" + i, i);
        }
      } else {
        int count = Integer.parseInt(args[2]);
        for (int i = 0; i < count; i++) {
          put(files, "churn-" + (i % 7), i);
          System.out.println("acked " + i);
          System.out.flush();
        }
      }
    }
  }

  /** The value every test expects under {@code service} after write number {@code i}. */
  static String expectedSecret(String service, int i) {
    return "secret-for-" + service + "-" + i + "-" + "x".repeat(i % 50);
  }

  private static void put(FileCredentialStore store, String service, int i) throws Exception {
    try (Secret secret = Secret.of(expectedSecret(service, i));
        Credential credential = Credential.builder(CredentialId.of(service)).token(secret)
            .attribute("write", Integer.toString(i)).build()) {
      store.put(credential);
    }
  }
}
