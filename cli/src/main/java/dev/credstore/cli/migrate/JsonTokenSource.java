package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.runtime.ServiceDefinition;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A token at one JSON pointer, with metadata at others: k6's {@code config.json}, a service the
 * user registered with {@code tokenPointer} and {@code configFiles}, or any file named with {@code
 * migrate --from PATH --service NAME --pointer /json/pointer}. Cut with {@link PlaintextConfig}.
 * Either {@code explicitFiles} or a {@code definition}'s (and the file {@code fileVariable} names);
 * {@code tighten}: k6's world-readable file becomes 0600, and k6's stack variables are handed back.
 */
record JsonTokenSource(List<Path> explicitFiles, ServiceDefinition definition, String pointer,
    Map<String, String> metadataPointers, CredentialId id, String fileVariable, boolean tighten)
    implements PlaintextSource {

  private static final Map<String, String> K6_VARIABLES = Map.of("stackID", "K6_CLOUD_STACK_ID",
      "stack", "K6_CLOUD_STACK_URL", "project", "K6_CLOUD_PROJECT_ID");

  /**
   * A registered service's known files. k6 also reads the file {@code K6_CONFIG} names, and k6
   * before 2.1 created its file 0644: that is tightened to 0600.
   */
  static JsonTokenSource known(ServiceDefinition definition, String account) {
    boolean k6 = definition.name().equals("k6");
    return new JsonTokenSource(null, definition, definition.tokenPointer(),
        definition.metadataPointers(), CredentialId.of(definition.name(), account),
        k6 ? "K6_CONFIG" : null, k6);
  }

  /** {@code --from} files, with the given pointer and metadata. */
  static JsonTokenSource explicit(List<Path> files, String pointer,
      Map<String, String> metadataPointers, CredentialId id) {
    return new JsonTokenSource(List.copyOf(files), null, pointer, metadataPointers, id, null,
        false);
  }

  /** The tool is the service its token is stored under (and so its only service). */
  @Override
  public String tool() {
    return id.service();
  }

  @Override
  public List<Path> files(Places places) {
    if (explicitFiles != null) {
      return explicitFiles;
    }
    Set<Path> files = new LinkedHashSet<>();
    if (fileVariable != null) {
      places.absolute(fileVariable).ifPresent(files::add);
    }
    files.addAll(definition.configFilePaths(places.environment()));
    return new ArrayList<>(files);
  }

  @Override
  public Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    PlaintextConfig config = PlaintextConfig.parse(bytes, pointer, metadataPointers);
    if (config.token().isEmpty()) {
      config.close();
      return Scan.nothing(config.noTokenReason(), List.of());
    }
    try (config) {
      Map<String, String> metadata = config.metadata();
      FoundSecret found = new FoundSecret(pointer, id, metadata, config.token().get().copy(),
          config.skippedMetadata());
      return Scan.rewrite(List.of(found), config.scrubbed(), List.of());
    }
  }

  @Override
  public Optional<Set<PosixFilePermission>> mode(Set<PosixFilePermission> current) {
    return tighten ? Modes.ownerOnlyIfWorldReadable(current) : Optional.empty();
  }

  /** k6 2.x needs a stack: its stack, URL and project travel as k6's own variables. */
  @Override
  public Optional<HandBack> handBack(CredentialId credential, Map<String, String> metadata) {
    if (!tighten) {
      return Optional.empty();
    }
    Map<String, String> variables = new java.util.TreeMap<>();
    K6_VARIABLES.forEach((attribute, variable) -> {
      String value = metadata.get(attribute);
      if (value != null) {
        variables.put(variable, value);
      }
    });
    return Optional.of(new HandBack(null, variables));
  }
}
