/**
 * The migrate engine: finding plaintext config files, reading the token out of them, storing it,
 * and rewriting the file without it; the record of migrated files. Depends on output only.
 */
package dev.credstore.cli.migrate;
