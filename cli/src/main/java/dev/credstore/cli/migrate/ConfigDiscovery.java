package dev.credstore.cli.migrate;

import dev.credstore.api.CredentialId;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ServiceDefinition;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where plaintext tokens are: the known services' config files that exist, and the token
 * variables set in the environment. What {@code migrate} moves and {@code doctor} reports.
 */
public final class ConfigDiscovery {

  private ConfigDiscovery() {}

  /** The services whose plaintext config files credstore knows. */
  public static List<ServiceDefinition> migratable(KnownServices services) {
    return services.all().stream()
        .filter(d -> d.tokenPointer() != null && !d.configFiles().isEmpty())
        .toList();
  }

  /**
   * Every existing config file of {@code definitions}, for {@code account} (a link counts: it is
   * reported, not followed); each path looked at is added to {@code lookedIn}.
   */
  public static List<Migrator.Target> existingConfigs(List<ServiceDefinition> definitions,
      String account, Map<String, String> environment, List<Path> lookedIn) {
    Set<Path> seen = new LinkedHashSet<>();
    List<Migrator.Target> targets = new ArrayList<>();
    for (ServiceDefinition definition : definitions) {
      CredentialId id = CredentialId.of(definition.name(), account);
      for (Path path : definition.configFilePaths(environment)) {
        if (!seen.add(path)) {
          continue;
        }
        lookedIn.add(path);
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
          targets.add(new Migrator.Target(path, definition.tokenPointer(),
              definition.metadataPointers(), id));
        }
      }
    }
    return targets;
  }

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
