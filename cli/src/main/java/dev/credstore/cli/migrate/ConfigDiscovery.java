package dev.credstore.cli.migrate;

import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ServiceDefinition;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Plaintext tokens in the environment: the registered token variables that are set. What {@code
 * migrate} and {@code doctor} report (the files are the {@link Sources}' business).
 */
public final class ConfigDiscovery {

  private ConfigDiscovery() {}

  /** Variable to service, for every registered variable that is set: reported, never read out. */
  public static Map<String, String> environmentTokens(KnownServices services,
      Map<String, String> environment) {
    Map<String, String> found = new LinkedHashMap<>();
    for (ServiceDefinition definition : services.all()) {
      for (String variable : definition.environmentVariables()) {
        String value = environment.get(variable);
        if (value != null && !value.isEmpty()) {
          found.putIfAbsent(variable, definition.name());
        }
      }
    }
    return found;
  }
}
