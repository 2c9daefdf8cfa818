package dev.credstore.file;

import dev.credstore.api.StorageException;

/**
 * Whether this JVM can give the memory an Argon2id derivation needs. A header may ask for up to
 * the cap (256 MiB); on a small heap deriving would end in an OutOfMemoryError, so the need is
 * checked against what the heap can still give (its maximum less what is in use) first.
 */
final class KdfMemory {

  // Bouncy Castle keeps each 1 KiB Argon2 block as an object holding a long[128]: 1 KiB of data
  // plus two object headers and a reference.
  private static final long BYTES_PER_KIB = 1024 + 48;
  private static final long SLACK = 4L * 1024 * 1024;

  private KdfMemory() {}

  /** Bytes the derivation needs on the heap. */
  static long needed(KdfParameters parameters) {
    return parameters.memoryKib() * BYTES_PER_KIB + SLACK;
  }

  /** Bytes the heap can still give: its maximum less what is in use now. */
  static long available() {
    Runtime runtime = Runtime.getRuntime();
    return runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory());
  }

  /** @throws StorageException if the heap cannot give what {@code parameters} need */
  static void require(KdfParameters parameters) throws StorageException {
    long needed = needed(parameters);
    if (available() >= needed) {
      return;
    }
    System.gc(); // what is "in use" may be garbage; ask once before refusing
    if (available() < needed) {
      throw notEnough(parameters, null);
    }
  }

  static StorageException notEnough(KdfParameters parameters, Throwable cause) {
    long mib = 1024 * 1024;
    return new StorageException("the store's key derivation (" + parameters + ") needs about "
        + needed(parameters) / mib + " MiB, but this JVM can give only " + available() / mib
        + " MiB of its " + Runtime.getRuntime().maxMemory() / mib + " MiB heap; run it with a"
        + " larger -Xmx (for credstore: CREDSTORE_JAVA_OPTS=-Xmx512m), or, if no credstore"
        + " of yours chose this cost, treat the file's header as forged", cause);
  }
}
