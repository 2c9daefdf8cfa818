package dev.credstore.runtime;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.spi.Names;
import dev.credstore.spi.UserDirectories;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What credstore knows about one service: the environment variables its own tools read a token
 * from, and where those tools keep it in their config files (for {@code migrate}).
 *
 * @param name the service name, as in {@link CredentialId#service()}
 * @param environmentVariables variables that override the stored token, checked in order; may be
 *     empty
 * @param configFiles the tool's config file locations, most preferred first, as templates that may
 *     start with {@code ~/} or {@code $XDG_CONFIG_HOME/} (see {@link #configFilePaths(Map)}); may be
 *     empty
 * @param tokenPointer JSON pointer (RFC 6901) of the token inside those files; null if unknown
 * @param metadataPointers attribute name to JSON pointer of non-secret metadata beside the token;
 *     sorted, unmodifiable, may be empty
 */
public record ServiceDefinition(
    String name,
    List<String> environmentVariables,
    List<String> configFiles,
    String tokenPointer,
    Map<String, String> metadataPointers) {

  /** @throws IllegalArgumentException naming the bad field */
  public ServiceDefinition {
    Names.check("service", name, CredentialId.MAX_SERVICE_LENGTH);
    environmentVariables = List.copyOf(environmentVariables);
    for (String variable : environmentVariables) {
      if (!Names.isAsciiName(variable, 128, true, "_", "_")) {
        throw new IllegalArgumentException("service '" + name + "': '" + variable
            + "' is not a valid environment variable name");
      }
    }
    configFiles = List.copyOf(configFiles);
    for (String file : configFiles) {
      Names.check("service '" + name + "' config file", file, 4096);
    }
    if (tokenPointer != null) {
      checkPointer(name, tokenPointer);
    }
    TreeMap<String, String> pointers = new TreeMap<>();
    Objects.requireNonNull(metadataPointers, "metadataPointers").forEach((attribute, pointer) -> {
      if (!Names.isAttributeName(attribute)) {
        throw new IllegalArgumentException("service '" + name + "': metadata name '" + attribute
            + "' must start with a letter and use only letters, digits, '.', '_' or '-'");
      }
      checkPointer(name, pointer);
      pointers.put(attribute, pointer);
    });
    metadataPointers = Collections.unmodifiableSortedMap(pointers);
  }

  /** A service with only environment variables: no known config files. */
  public static ServiceDefinition withVariables(String name, String... environmentVariables) {
    return new ServiceDefinition(name, List.of(environmentVariables), List.of(), null, Map.of());
  }

  /**
   * {@link #configFiles()} as paths for a process with {@code environment}: {@code ~} is {@code
   * HOME}, and {@code $XDG_CONFIG_HOME} is that variable if it is an absolute path, else {@code
   * ~/.config}. Templates that stay relative are dropped.
   */
  public List<Path> configFilePaths(Map<String, String> environment) {
    UserDirectories directories = UserDirectories.of(environment);
    Path home = directories.home();
    Path xdg = directories.configHome();
    List<Path> paths = new ArrayList<>();
    for (String template : configFiles) {
      Path path;
      if (template.equals("~") || template.startsWith("~/")) {
        path = home.resolve(template.substring(1).replaceFirst("^/", ""));
      } else if (template.startsWith("$XDG_CONFIG_HOME/")) {
        path = xdg.resolve(template.substring("$XDG_CONFIG_HOME/".length()));
      } else {
        path = Path.of(template);
      }
      if (path.isAbsolute()) {
        paths.add(path.normalize());
      }
    }
    return List.copyOf(paths);
  }

  private static void checkPointer(String service, String pointer) {
    if (pointer == null || !pointer.startsWith("/")) {
      throw new IllegalArgumentException("service '" + service + "': JSON pointer '" + pointer
          + "' must start with '/'");
    }
  }
}
