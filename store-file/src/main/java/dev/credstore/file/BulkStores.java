package dev.credstore.file;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.spi.PrivateFiles;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Internal, not API: writes a new store file holding many credentials in one go, at the default
 * KDF cost, for the JMH benchmarks (filling 10,000 credentials with one put each would take longer
 * than the benchmark). Public only because the benchmark lives in another module; nothing else
 * may call it, and it may change or go without notice.
 */
public final class BulkStores {

  private BulkStores() {}

  /** Replaces {@code file} with a store of {@code credentials} sealed by {@code passphrase}. */
  public static void create(Path file, Iterable<Credential> credentials, Secret passphrase)
      throws CredentialStoreException {
    PrivateFiles.ensureDirectory(file.toAbsolutePath().getParent());
    byte[] salt = Crypto.random(Crypto.SALT_BYTES);
    byte[] kek = KeyCache.derive(passphrase, salt, KdfParameters.DEFAULT);
    byte[] dataKey = Crypto.random(Crypto.KEY_BYTES);
    java.util.List<byte[]> objects = PayloadCodec.encodeEach(credentials);
    byte[] payload = PayloadCodec.join(objects, WriteCount.first());
    objects.forEach(o -> Arrays.fill(o, (byte) 0));
    try {
      StoreFileFormat.KeySection keys =
          StoreFileFormat.KeySection.wrap(KdfParameters.DEFAULT, salt, kek, dataKey);
      PrivateFiles.replace(file, StoreFileFormat.encode(keys, dataKey, payload));
    } finally {
      Arrays.fill(kek, (byte) 0);
      Arrays.fill(dataKey, (byte) 0);
      Arrays.fill(payload, (byte) 0);
    }
  }
}
