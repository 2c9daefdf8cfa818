package dev.credstore.file;

/**
 * Argon2id cost parameters as recorded in a store's header.
 *
 * <p>Bounds are checked before any key derivation, so that a forged header can neither make
 * credstore allocate more than {@link #MAX_MEMORY_KIB} nor weaken a store below OWASP's minimum.
 */
record KdfParameters(int memoryKib, int iterations, int parallelism) {

  /** What new stores use: 64 MiB, 3 passes, 1 lane (about 0.2 s on a 2-core server). */
  static final KdfParameters DEFAULT = new KdfParameters(64 * 1024, 3, 1);

  /** OWASP's minimum for Argon2id: 19 MiB with 2 passes. */
  static final int MIN_MEMORY_KIB = 19 * 1024;
  static final int MAX_MEMORY_KIB = 256 * 1024;
  static final int MIN_ITERATIONS = 2;
  static final int MAX_ITERATIONS = 10;
  static final int MAX_PARALLELISM = 4;

  /** Whether these parameters are within the bounds any credstore will run. */
  boolean withinBounds() {
    return memoryKib >= MIN_MEMORY_KIB && memoryKib <= MAX_MEMORY_KIB
        && iterations >= MIN_ITERATIONS && iterations <= MAX_ITERATIONS
        && parallelism >= 1 && parallelism <= MAX_PARALLELISM
        // Argon2 needs at least 8 KiB per lane.
        && memoryKib >= 8 * parallelism;
  }

  @Override
  public String toString() {
    return "Argon2id m=" + memoryKib + " KiB, t=" + iterations + ", p=" + parallelism;
  }
}
