package dev.credstore.pass;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import dev.credstore.spi.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A separate credstore writer process for {@link PassStoreTest}: {@code PREFIX COUNT} puts COUNT
 * tokens {@code PREFIX-i/default} into the pass store its environment names.
 */
public final class PassWriterMain {

  private PassWriterMain() {}

  public static void main(String[] args) throws Exception {
    StoreOptions options = StoreOptions.builder()
        .dataDirectory(Path.of(System.getenv("HOME"), "data"))
        .operationTimeout(Duration.ofSeconds(30)).environment(System.getenv()).build();
    try (CredentialStore store = new PassStoreProvider().open(options)) {
      for (int i = 0; i < Integer.parseInt(args[1]); i++) {
        try (Secret secret = Secret.of("value-" + i);
            Credential credential = Credential.builder(CredentialId.of(args[0] + "-" + i))
                .token(secret).build()) {
          store.put(credential);
        }
      }
    }
  }
}
