package dev.credstore.file;

import java.util.Arrays;

/**
 * For {@code bench/run}: times the store's default key derivation in this JVM, so that a file
 * {@code get} can be compared with "the KDF + 100 ms" in the same run. Prints one line: the first
 * (cold) derivation and the median of the following ones, in milliseconds. Derives from a fixed,
 * non-secret passphrase and salt; touches no store.
 *
 * <pre>java -cp credstore.jar dev.credstore.file.KdfTiming [RUNS]</pre>
 */
public final class KdfTiming {

  private KdfTiming() {}

  public static void main(String[] args) throws Exception {
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    char[] passphrase = "kdf-timing".toCharArray();
    byte[] salt = new byte[Crypto.SALT_BYTES];
    double[] millis = new double[runs + 1];
    for (int i = 0; i <= runs; i++) {
      long start = System.nanoTime();
      byte[] key = Crypto.deriveKey(passphrase, salt, KdfParameters.DEFAULT);
      millis[i] = (System.nanoTime() - start) / 1e6;
      Arrays.fill(key, (byte) 0);
    }
    double[] warm = Arrays.copyOfRange(millis, 1, millis.length);
    Arrays.sort(warm);
    double median = warm.length == 0 ? millis[0] : warm.length % 2 == 1 ? warm[warm.length / 2]
        : (warm[warm.length / 2 - 1] + warm[warm.length / 2]) / 2;
    System.out.printf("%s: cold %.1f ms, warm median %.1f ms (%d runs)%n",
        KdfParameters.DEFAULT, millis[0], median, warm.length);
  }
}
