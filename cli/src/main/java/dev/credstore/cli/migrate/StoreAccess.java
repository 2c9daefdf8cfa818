package dev.credstore.cli.migrate;

import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;

/**
 * The store a {@link Migrator} writes to. Opens the store on first use; a failure to open is kept
 * and thrown for every later file.
 */
public interface StoreAccess {
  CredentialStore store() throws CredentialStoreException;

  /** E.g. "encrypted file at ~/.local/share/credstore/credentials.cstore". */
  String where();
}
