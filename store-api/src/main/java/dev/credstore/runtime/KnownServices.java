package dev.credstore.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.credstore.api.ConfigurationException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The registry of services credstore knows: the built-in list ({@link #builtIn()}, below) plus the
 * user's own entries under {@code "services"} in {@code $XDG_CONFIG_HOME/credstore/config.json}. A
 * user entry replaces a built-in one of the same name.
 *
 * <p>Each entry in the config file has the shape
 * <pre>{@code
 * "k6": {
 *   "environment": ["K6_CLOUD_TOKEN"],
 *   "configFiles": ["$XDG_CONFIG_HOME/k6/config.json"],
 *   "tokenPointer": "/collectors/cloud/token",
 *   "metadataPointers": {"stackID": "/collectors/cloud/stackID"}
 * }
 * }</pre>
 * where every key but {@code environment} is optional. Unknown services are fine everywhere: they
 * simply have no definition. Immutable and thread-safe.
 */
public final class KnownServices {

  private static final Set<String> ENTRY_KEYS =
      Set.of("environment", "configFiles", "tokenPointer", "metadataPointers");

  // Code rather than a JSON resource: every get consults it, and reading and parsing a resource
  // cost a cold JVM ~10 ms (it opens the 10k-entry jar). Keep cli/README.md's table in step.
  private static final KnownServices BUILT_IN = new KnownServices(byName(
      // k6 reads os.UserConfigDir()/k6, older versions .../loadimpact/k6; on macOS that directory
      // is ~/Library/Application Support.
      new ServiceDefinition("k6", List.of("K6_CLOUD_TOKEN"),
          List.of("$XDG_CONFIG_HOME/k6/config.json",
              "~/.config/k6/config.json",
              "$XDG_CONFIG_HOME/loadimpact/k6/config.json",
              "~/.config/loadimpact/k6/config.json",
              "~/Library/Application Support/k6/config.json",
              "~/Library/Application Support/loadimpact/k6/config.json"),
          "/collectors/cloud/token",
          Map.of("stack", "/collectors/cloud/stackURL",
              "stackID", "/collectors/cloud/stackID",
              "project", "/collectors/cloud/defaultProjectID")),
      ServiceDefinition.withVariables("platformsh", "PLATFORMSH_CLI_TOKEN"),
      ServiceDefinition.withVariables("upsun", "UPSUN_CLI_TOKEN"),
      ServiceDefinition.withVariables("appcircle", "AC_ACCESS_TOKEN"),
      // gh reads GH_TOKEN for github.com (GH_ENTERPRISE_TOKEN for other hosts, which exec sets
      // from the migrated credential's host); npm expands ${NPM_TOKEN?} in a migrated .npmrc.
      ServiceDefinition.withVariables("gh", "GH_TOKEN"),
      ServiceDefinition.withVariables("npm", "NPM_TOKEN")));

  private final Map<String, ServiceDefinition> byName;

  private KnownServices(Map<String, ServiceDefinition> byName) {
    this.byName = Map.copyOf(byName);
  }

  /** Only the services credstore ships with. */
  public static KnownServices builtIn() {
    return BUILT_IN;
  }

  /**
   * The built-in services plus those in the {@code "services"} object of {@link
   * StoreSettings#configFile()}, if that file exists.
   *
   * @throws ConfigurationException if an entry is malformed, naming it (the file itself was read
   *     and checked by {@link StoreSettings#load})
   */
  public static KnownServices load(StoreSettings settings) throws ConfigurationException {
    JsonNode services = settings.servicesConfig();
    if (services == null || services.isNull()) {
      return BUILT_IN;
    }
    Map<String, ServiceDefinition> merged = new LinkedHashMap<>(BUILT_IN.byName);
    merged.putAll(parse(services, "config file " + settings.configFile()));
    return new KnownServices(merged);
  }

  /** The definition of {@code service}, or empty for a service credstore does not know. */
  public Optional<ServiceDefinition> find(String service) {
    return Optional.ofNullable(byName.get(service));
  }

  /** Every known service, sorted by name. */
  public List<ServiceDefinition> all() {
    return List.copyOf(new TreeMap<>(byName).values());
  }

  private static Map<String, ServiceDefinition> byName(ServiceDefinition... definitions) {
    Map<String, ServiceDefinition> byName = new LinkedHashMap<>();
    for (ServiceDefinition definition : definitions) {
      byName.put(definition.name(), definition);
    }
    return byName;
  }

  private static Map<String, ServiceDefinition> parse(JsonNode services, String where)
      throws ConfigurationException {
    if (!services.isObject()) {
      throw new ConfigurationException(where + ": 'services' must be a JSON object");
    }
    Map<String, ServiceDefinition> parsed = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = services.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      String context = where + ": service '" + name + "'";
      JsonNode node = entry.getValue();
      if (!node.isObject()) {
        throw new ConfigurationException(context + " must be a JSON object");
      }
      for (Iterator<String> keys = node.fieldNames(); keys.hasNext(); ) {
        String key = keys.next();
        if (!ENTRY_KEYS.contains(key)) {
          throw new ConfigurationException(context + " has unknown key '" + key
              + "'; known keys: environment, configFiles, tokenPointer, metadataPointers");
        }
      }
      try {
        parsed.put(name, new ServiceDefinition(name,
            strings(node.get("environment"), context + ": 'environment'"),
            strings(node.get("configFiles"), context + ": 'configFiles'"),
            text(node.get("tokenPointer"), context + ": 'tokenPointer'"),
            pointers(node.get("metadataPointers"), context + ": 'metadataPointers'")));
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException(where + ": " + e.getMessage(), e);
      }
    }
    return parsed;
  }

  private static List<String> strings(JsonNode node, String context)
      throws ConfigurationException {
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new ConfigurationException(context + " must be an array of strings");
    }
    List<String> values = new ArrayList<>();
    for (JsonNode element : node) {
      if (!element.isTextual()) {
        throw new ConfigurationException(context + " must be an array of strings");
      }
      values.add(element.asText());
    }
    return values;
  }

  private static String text(JsonNode node, String context) throws ConfigurationException {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new ConfigurationException(context + " must be a string");
    }
    return node.asText();
  }

  private static Map<String, String> pointers(JsonNode node, String context)
      throws ConfigurationException {
    if (node == null || node.isNull()) {
      return Map.of();
    }
    if (!node.isObject()) {
      throw new ConfigurationException(context + " must be an object of strings");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      values.put(entry.getKey(), text(entry.getValue(), context));
    }
    return values;
  }
}
