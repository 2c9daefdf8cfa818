/**
 * The terminal: hidden prompts, reading a secret from a prompt or piped stdin into a {@code
 * Secret}, and the passphrase prompts of the file store. Depends on output only.
 */
package dev.credstore.cli.console;
