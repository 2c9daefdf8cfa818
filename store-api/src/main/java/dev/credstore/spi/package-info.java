/**
 * For backend authors: the provider interface and what every backend builds on — the
 * private-files toolkit ({@link dev.credstore.spi.PrivateFiles}, {@link
 * dev.credstore.spi.PrivacyVerdict}, {@link dev.credstore.spi.PrivateLock}), the secret-safe JSON
 * factory and metadata encoding ({@link dev.credstore.spi.Json}, {@link
 * dev.credstore.spi.MetadataJson}, {@link dev.credstore.spi.JsonTrees}) and the XDG/home resolver
 * ({@link dev.credstore.spi.UserDirectories}).
 *
 * <p>Backends, the runtime package and the CLI may depend on it; callers of the store use {@code
 * dev.credstore.api} and never need it.
 */
package dev.credstore.spi;
