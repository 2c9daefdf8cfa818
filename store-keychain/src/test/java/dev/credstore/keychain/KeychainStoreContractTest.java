package dev.credstore.keychain;

import dev.credstore.api.CredentialStore;
import dev.credstore.testing.CredentialStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The store-api contract against the real Secret Service of the surrounding D-Bus session. */
class KeychainStoreContractTest extends CredentialStoreContract {

  @TempDir
  static Path data;

  @BeforeAll
  static void requireSecretService() {
    SecretServiceTesting.assumeSecretService(data);
  }

  @Override
  protected CredentialStore openStore() throws Exception {
    return new KeychainStoreProvider().open(SecretServiceTesting.options(data));
  }
}
