package dev.credstore.file;

import dev.credstore.api.CredentialStore;
import dev.credstore.testing.CredentialStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileStoreContractTest extends CredentialStoreContract {

  @TempDir Path directory;

  @Override
  protected CredentialStore openStore() {
    return TestStores.open(directory.resolve("store/credentials.cstore"));
  }
}
