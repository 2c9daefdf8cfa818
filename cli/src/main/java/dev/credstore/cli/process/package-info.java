/**
 * Child processes for {@code exec} and {@code rotate --verify}: environment, exit status and
 * signal passing. Depends on output and session; used by the commands.
 */
package dev.credstore.cli.process;
