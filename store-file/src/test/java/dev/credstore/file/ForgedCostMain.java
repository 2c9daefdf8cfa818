package dev.credstore.file;

import java.nio.file.Path;

/**
 * Opens the store at {@code args[0]} in a JVM with a small heap and prints how reading it ended,
 * for {@link FileStoreHardeningTest}: "outcome=ExceptionClass" and "message=…". The passphrase
 * comes from {@code CREDSTORE_PASSPHRASE}.
 */
public final class ForgedCostMain {

  private ForgedCostMain() {}

  public static void main(String[] args) {
    try (FileCredentialStore store =
        TestStores.open(Path.of(args[0]), System.getenv("CREDSTORE_PASSPHRASE"))) {
      store.list();
      System.out.println("outcome=read");
    } catch (Exception | Error e) {
      System.out.println("outcome=" + e.getClass().getSimpleName());
      System.out.println("message=" + e.getMessage());
    }
  }
}
