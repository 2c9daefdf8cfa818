package dev.credstore.file;

import java.util.HexFormat;

/**
 * Which store a file is and how many writes it has seen: a random id fixed when the store is
 * created (or first written as format 1.1) and a counter every write raises by one. Both live in
 * the authenticated payload, so nobody without the key can change them; a file whose counter is
 * lower than one seen before is an older copy put back (see {@link WriteCounters}).
 *
 * @param store 32 lowercase hex digits
 * @param writes at least 1
 */
record WriteCount(String store, long writes) {

  WriteCount {
    if (store == null || !store.matches("[0-9a-f]{32}") || writes < 1) {
      throw new IllegalArgumentException("not a write count: " + store + "/" + writes);
    }
  }

  /** The first write of a store that had no id yet. */
  static WriteCount first() {
    return new WriteCount(HexFormat.of().formatHex(Crypto.random(16)), 1);
  }

  /** The count after one more write. */
  WriteCount next() {
    return new WriteCount(store, Math.addExact(writes, 1));
  }
}
