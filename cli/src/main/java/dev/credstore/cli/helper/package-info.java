/**
 * The credential-helper protocols of git and Docker: reading their requests without a secret
 * ever becoming a String. Depends on output and console (its stdin reading) only; used by the
 * helper commands and by migrate.
 */
package dev.credstore.cli.helper;
