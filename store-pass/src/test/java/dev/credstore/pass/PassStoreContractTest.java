package dev.credstore.pass;

import dev.credstore.api.CredentialStore;
import dev.credstore.testing.CredentialStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The store-api contract against a real pass store (a git repository) and a throwaway GPG key. */
class PassStoreContractTest extends CredentialStoreContract {

  private static PassTesting world;
  private static Path gnupg;

  @BeforeAll
  static void createStore() throws Exception {
    world = new PassTesting();
    gnupg = world.gnupgHome("Alice", null);
    world.run(gnupg, null, "pass", "init", world.fingerprint(gnupg));
    world.run(gnupg, null, "pass", "git", "init");
  }

  @AfterAll
  static void removeStore() throws Exception {
    world.close();
  }

  @Override
  protected CredentialStore openStore() throws Exception {
    return new PassStoreProvider().open(world.options(gnupg));
  }
}
