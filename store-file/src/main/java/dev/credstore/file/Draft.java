package dev.credstore.file;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * The credentials a modification works on, and their JSON, owned by it: a credential is encoded
 * when it is put, and a replaced or removed one is zeroed at once with its JSON. Records whether
 * anything changed, so an unchanged store is not rewritten.
 */
final class Draft {

  /** What a modification does to a draft of the decrypted credentials. */
  @FunctionalInterface
  interface Change {
    void apply(Draft draft) throws CredentialStoreException;
  }

  final TreeMap<CredentialId, Credential> credentials;
  final TreeMap<CredentialId, byte[]> encoded;
  private boolean changed;

  Draft(TreeMap<CredentialId, Credential> credentials, TreeMap<CredentialId, byte[]> encoded) {
    this.credentials = credentials;
    this.encoded = encoded;
  }

  /** A draft of an empty store. */
  static Draft empty() {
    return new Draft(new TreeMap<>(), new TreeMap<>());
  }

  /** Whether {@code change} would change an empty store (if not, none need be created). */
  static boolean changesAnEmptyStore(Change change) throws CredentialStoreException {
    Draft empty = empty();
    try {
      change.apply(empty);
      return empty.changed();
    } finally {
      empty.discard();
    }
  }

  Credential get(CredentialId id) {
    return credentials.get(id);
  }

  boolean contains(CredentialId id) {
    return credentials.containsKey(id);
  }

  /** Adds or replaces; takes ownership of {@code credential}. */
  void put(Credential credential) {
    byte[] json = PayloadCodec.encodeEach(List.of(credential)).get(0);
    closeIfPresent(credentials.put(credential.id(), credential));
    zeroIfPresent(encoded.put(credential.id(), json));
    changed = true;
  }

  boolean remove(CredentialId id) {
    Credential gone = credentials.remove(id);
    closeIfPresent(gone);
    zeroIfPresent(encoded.remove(id));
    changed |= gone != null;
    return gone != null;
  }

  /** Zeroes everything, for a draft that never became a snapshot. */
  void discard() {
    credentials.values().forEach(Credential::close);
    encoded.values().forEach(json -> Arrays.fill(json, (byte) 0));
    encoded.clear();
  }

  boolean changed() {
    return changed;
  }

  private static void closeIfPresent(Credential credential) {
    if (credential != null) {
      credential.close();
    }
  }

  private static void zeroIfPresent(byte[] json) {
    if (json != null) {
      Arrays.fill(json, (byte) 0);
    }
  }
}
