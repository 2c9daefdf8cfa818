package dev.credstore.api;

/**
 * What an open store is, for {@code status} and error messages.
 *
 * @param backend the provider id, e.g. {@code keychain} or {@code file}
 * @param summary a human name, e.g. "encrypted file (Argon2id + AES-256-GCM, format 1)"
 * @param location where the data lives: a path, a keychain collection, etc.
 */
public record StoreDescription(String backend, String summary, String location) {}
