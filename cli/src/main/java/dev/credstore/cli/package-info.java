/**
 * Entry points: {@code Main} (the jar's main class, run by {@code bin/credstore}), the fast
 * {@code get} path without picocli, and the CDS/AOT training run; bin/credstore names the classes.
 * Depends on every package below; nothing depends on it.
 */
package dev.credstore.cli;
