/**
 * {@code migrate}: the plaintext sources (one per tool, {@link dev.credstore.cli.migrate.Sources}),
 * one surgical editor per file format, and the {@link dev.credstore.cli.migrate.Migrator} that
 * stores, verifies and only then rewrites. Used by the migrate, doctor and exec commands.
 */
package dev.credstore.cli.migrate;
