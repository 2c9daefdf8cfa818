/**
 * The migrate engine: the plaintext sources (one per tool, {@link
 * dev.credstore.cli.migrate.Sources}), one surgical editor per file format, the {@link
 * dev.credstore.cli.migrate.Migrator} that stores, verifies and only then rewrites, and the record
 * of migrated files. Used by the migrate, doctor and exec commands; depends on output, and on
 * helper for the git and Docker entries it stores as their helpers do.
 */
package dev.credstore.cli.migrate;
