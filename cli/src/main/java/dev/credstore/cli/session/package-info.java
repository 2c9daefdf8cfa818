/**
 * One run's context (environment, stdin, terminal, clock), the global flags and their one table,
 * and the store session: settings, backend selection, opening the store. Depends on console and
 * output; used by the commands and the entry points.
 */
package dev.credstore.cli.session;
