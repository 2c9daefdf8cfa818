package dev.credstore.cli.migrate;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import dev.credstore.spi.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Appcircle CLI ({@code @appcircle/cli}), which keeps its settings with the {@code conf} package in
 * {@code ${XDG_CONFIG_HOME:-~/.config}/@appcircle/cli-nodejs/config.json} (env-paths with the
 * "nodejs" suffix; {@code ~/Library/Preferences/…} on macOS): {@code {"current": NAME, "envs":
 * {NAME: {"API_HOSTNAME", "AUTH_HOSTNAME", "AC_ACCESS_TOKEN"}}}}. Every environment's token moves
 * (account = environment name) and is left as {@code ""}, the CLI's own logged-out value. conf
 * creates the file 0666 (less the umask): tightened to 0600.
 *
 * <p>The CLI (2.7.3) reads its token only from that file, not from {@code AC_ACCESS_TOKEN}, so
 * {@code exec appcircle} writes the child a private copy of the config with the token and points
 * {@code XDG_CONFIG_HOME} at it.
 */
final class AppcircleSource implements PlaintextSource {

  static final String SERVICE = "appcircle";
  static final String TOKEN_KEY = "AC_ACCESS_TOKEN";
  private static final String DIRECTORY = "@appcircle/cli-nodejs";
  private static final Map<String, String> METADATA =
      Map.of("API_HOSTNAME", "apiHostname", "AUTH_HOSTNAME", "authHostname");

  @Override
  public String tool() {
    return SERVICE;
  }

  @Override
  public List<Path> files(Places places) {
    Set<Path> files = new LinkedHashSet<>();
    files.add(places.configHome().resolve(DIRECTORY).resolve("config.json"));
    files.add(places.inHome(".config").resolve(DIRECTORY).resolve("config.json"));
    files.add(places.inHome("Library/Preferences").resolve(DIRECTORY).resolve("config.json"));
    return new ArrayList<>(files);
  }

  @Override
  public Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    List<String> pointers = JsonSurgery.stringPointers(bytes,
        path -> path.size() == 3 && path.get(0).equals("envs") && path.get(2).equals(TOKEN_KEY));
    List<FoundSecret> found = new ArrayList<>();
    JsonSurgery surgery = JsonSurgery.of(bytes);
    try {
      for (String pointer : pointers) {
        String environment = pointer.split("/")[2].replace("~1", "/").replace("~0", "~");
        Map<String, String> metadata = new TreeMap<>();
        try (PlaintextConfig config = PlaintextConfig.parse(bytes, pointer, metadataPointers(pointer))) {
          if (config.token().isEmpty()) {
            continue; // "" is the CLI's logged-out state
          }
          metadata.putAll(config.metadata());
          metadata.put("environment", environment);
          found.add(new FoundSecret(pointer, CredentialId.of(SERVICE, environment), metadata,
              config.token().get().copy(), config.skippedMetadata()));
        }
        surgery.replaceString(pointer, "");
      }
      if (found.isEmpty()) {
        return Scan.nothing("no Appcircle token (every environment is logged out)", List.of());
      }
      return Scan.rewrite(found, surgery.result(), List.of());
    } catch (ConfigurationException | RuntimeException e) {
      found.forEach(FoundSecret::close);
      throw Scan.problem(e);
    }
  }

  private static Map<String, String> metadataPointers(String tokenPointer) {
    String environment = tokenPointer.substring(0, tokenPointer.lastIndexOf('/'));
    Map<String, String> pointers = new TreeMap<>();
    METADATA.forEach((key, attribute) -> pointers.put(attribute, environment + "/" + key));
    return pointers;
  }

  @Override
  public Optional<Set<PosixFilePermission>> mode(Set<PosixFilePermission> current) {
    return Modes.ownerOnly(current);
  }

  @Override
  public Optional<HandBack> handBack(CredentialId id, Map<String, String> metadata) {
    return Optional.of(new PrivateConfig(id.account(), metadata));
  }

  /** The child's own config: just the environment credstore holds, current, with its token. */
  private static final class PrivateConfig extends HandBack {
    private final String environment;
    private final Map<String, String> metadata;

    PrivateConfig(String environment, Map<String, String> metadata) {
      super(TOKEN_KEY, Map.of());
      this.environment = environment;
      this.metadata = Map.copyOf(metadata);
    }

    @Override
    public boolean needsPrivateConfig() {
      return true;
    }

    @Override
    public Map<String, String> writePrivateConfig(Path directory, Secret secret)
        throws IOException {
      Path config = directory.resolve(DIRECTORY);
      Files.createDirectories(config,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      Path file = config.resolve("config.json");
      char[] token = secret.revealChars();
      try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
              StandardOpenOption.WRITE);
          JsonGenerator json = Json.generator(out)) {
        Files.setPosixFilePermissions(file, Modes.OWNER_READ_WRITE);
        json.writeStartObject();
        json.writeStringField("current", environment);
        json.writeObjectFieldStart("envs");
        json.writeObjectFieldStart(environment);
        String api = metadata.get("apiHostname");
        String auth = metadata.get("authHostname");
        if (api != null) {
          json.writeStringField("API_HOSTNAME", api);
        }
        if (auth != null) {
          json.writeStringField("AUTH_HOSTNAME", auth);
        }
        json.writeFieldName(TOKEN_KEY);
        json.writeString(token, 0, token.length);
        json.writeEndObject();
        json.writeEndObject();
        json.writeEndObject();
      } finally {
        java.util.Arrays.fill(token, '\0');
      }
      return Map.of("XDG_CONFIG_HOME", directory.toString());
    }
  }
}
