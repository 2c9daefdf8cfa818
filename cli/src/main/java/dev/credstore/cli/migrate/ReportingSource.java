package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A plaintext source credstore only reports ({@code migrate --dry-run} and {@code doctor}): no
 * credstore entry would be read by its tool, so moving the secret would break the tool.
 */
interface ReportingSource extends PlaintextSource {

  /** The secrets in {@code bytes}, by key; never their values. */
  List<Reported> report(Path file, byte[] bytes) throws ConfigurationException;

  @Override
  default Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    List<Reported> reported = report(file, bytes);
    return Scan.nothing(reported.isEmpty() ? "no plaintext password" : "reported only", reported);
  }

  @Override
  default Set<String> services() {
    return Set.of();
  }

  @Override
  default boolean reportOnly() {
    return true;
  }
}
