package dev.credstore.file;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialStoreException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a store file with many credentials in one go, through store-file's own format code (this
 * class sits in its package for that): filling 10,000 credentials with one put each would take
 * longer than the benchmark.
 */
public final class BenchStores {

  private BenchStores() {}

  public static void create(Path file, Iterable<Credential> credentials, String passphrase)
      throws CredentialStoreException {
    dev.credstore.spi.PrivateFiles.ensureDirectory(file.toAbsolutePath().getParent());
    byte[] salt = Crypto.random(Crypto.SALT_BYTES);
    char[] chars = passphrase.toCharArray();
    byte[] kek = Crypto.deriveKey(chars, salt, KdfParameters.DEFAULT);
    byte[] dataKey = Crypto.random(Crypto.KEY_BYTES);
    byte[] payload = PayloadCodec.encode(credentials);
    try {
      StoreFileFormat.KeySection keys =
          StoreFileFormat.KeySection.wrap(KdfParameters.DEFAULT, salt, kek, dataKey);
      dev.credstore.spi.PrivateFiles.replace(file, StoreFileFormat.encode(keys, dataKey, payload));
    } finally {
      Arrays.fill(chars, '\0');
      Arrays.fill(kek, (byte) 0);
      Arrays.fill(dataKey, (byte) 0);
      Arrays.fill(payload, (byte) 0);
    }
  }
}
