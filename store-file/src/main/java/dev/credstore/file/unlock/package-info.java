/**
 * The unlock cache of the file store: a per-user agent process that holds one store's data key in
 * memory for a while, reached over a Unix socket in a private runtime directory. Internal to
 * store-file (public only so that {@code dev.credstore.file} and the agent's {@code main} reach
 * it); nothing outside store-file may depend on it.
 */
package dev.credstore.file.unlock;
