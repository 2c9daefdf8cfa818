/**
 * The {@code pass} backend: credentials as entries of the standard Unix password store, encrypted
 * by the real {@code gpg} and committed with the store's git. Depends on store-api only; nothing
 * outside this package uses more than {@link dev.credstore.pass.PassStoreProvider}.
 */
package dev.credstore.pass;
