/**
 * What users read: exit codes and the one-line error handler, text and JSON renderings and
 * tables, how messages name credentials, durations, the version. Depends on no other cli package.
 */
package dev.credstore.cli.output;
