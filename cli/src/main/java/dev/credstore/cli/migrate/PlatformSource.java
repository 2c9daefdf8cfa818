package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Platform.sh CLI ({@code platform}, home {@code ~/.platformsh}, {@code PLATFORMSH_CLI_HOME})
 * and its Upsun twin ({@code upsun}, {@code ~/.upsun-cli}, {@code UPSUN_CLI_HOME}). They keep an
 * API token as the plain text file {@code <home>/.session/sess-cli-<id>/api-token} (the session id
 * from {@code …_SESSION_ID}, the {@code <home>/session-id} file, else {@code default}) or as {@code
 * api.token} in {@code <home>/config.yaml}. A stored token wins over {@code PLATFORMSH_CLI_TOKEN},
 * so it must go for {@code credstore exec platformsh -- platform …} to work: the api-token file is
 * removed, the YAML key cut out, and the session the CLI cached from the token ({@code
 * sess-api-token-*} in the session directory) dropped, so the CLI exchanges the variable's token
 * afresh. OAuth login sessions ({@code sess-cli-<id>.json} and the like, access plus refresh token)
 * are reported with the advice to switch to an API token.
 */
record PlatformSource(String tool, String homeDirectory, String prefix)
    implements PlaintextSource {

  static PlatformSource platformsh() {
    return new PlatformSource("platformsh", ".platformsh", "PLATFORMSH_CLI");
  }

  static PlatformSource upsun() {
    return new PlatformSource("upsun", ".upsun-cli", "UPSUN_CLI");
  }

  private Path home(Places places) {
    return places.absolute(prefix + "_HOME").orElse(places.inHome(homeDirectory));
  }

  /** The session id the CLI uses now. */
  String sessionId(Places places) {
    Optional<String> fromEnvironment = places.variable(prefix + "_SESSION_ID");
    if (fromEnvironment.isPresent()) {
      return fromEnvironment.get();
    }
    Path file = home(places).resolve("session-id");
    try {
      if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        String id = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (!id.isEmpty()) {
          return id;
        }
      }
    } catch (IOException unreadable) {
      // The CLI would fall back to the default session too.
    }
    return "default";
  }

  /** config.yaml, then every session's api-token and OAuth session files. */
  @Override
  public List<Path> files(Places places) {
    Path home = home(places);
    List<Path> files = new ArrayList<>();
    files.add(home.resolve("config.yaml"));
    Path sessions = home.resolve(".session");
    Path current = sessions.resolve("sess-cli-" + sessionId(places));
    files.add(current.resolve("api-token"));
    if (Files.isDirectory(sessions, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(sessions, "sess-cli-*")) {
        for (Path dir : dirs) {
          if (!dir.equals(current) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            files.add(dir.resolve("api-token"));
          }
        }
      } catch (IOException unreadable) {
        // The current session's file is still looked at.
      }
      for (Path dir : sessionDirectories(sessions)) {
        try (DirectoryStream<Path> json = Files.newDirectoryStream(dir, "sess-*.json")) {
          for (Path file : json) {
            if (!file.getFileName().toString().startsWith("sess-api-token-")) {
              files.add(file);
            }
          }
        } catch (IOException unreadable) {
          // Nothing to report from a directory we cannot list.
        }
      }
    }
    return files;
  }

  private static List<Path> sessionDirectories(Path sessions) {
    List<Path> dirs = new ArrayList<>(List.of(sessions));
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(sessions, "sess-cli-*")) {
      stream.forEach(d -> {
        if (Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
          dirs.add(d);
        }
      });
    } catch (IOException unreadable) {
      // Only the top directory then.
    }
    return dirs;
  }

  @Override
  public Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    String name = file.getFileName().toString();
    if (name.equals("api-token")) {
      return apiTokenFile(file, bytes);
    }
    if (name.equals("config.yaml")) {
      return configYaml(bytes);
    }
    return oauthSession(bytes);
  }

  private Scan apiTokenFile(Path file, byte[] bytes) throws ConfigurationException {
    int end = bytes.length;
    while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
      end--;
    }
    for (int i = 0; i < end; i++) {
      if (bytes[i] <= ' ' || bytes[i] == 0x7f) {
        throw new ConfigurationException("holds more than one token line; the file is left as "
            + "it is");
      }
    }
    if (end == 0) {
      return Scan.nothing("the api-token file is empty", List.of());
    }
    String session = file.getParent().getFileName().toString().substring("sess-cli-".length());
    byte[] token = Arrays.copyOf(bytes, end);
    CredentialId id;
    try {
      id = CredentialId.of(tool, session);
    } catch (IllegalArgumentException e) {
      throw Scan.problem(e);
    }
    try {
      return Scan.deleteFile(new FoundSecret("api-token", id, Map.of("session", session),
          Secret.fromUtf8(token)));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("holds a token that is not UTF-8 text");
    } finally {
      Arrays.fill(token, (byte) 0);
    }
  }

  private Scan configYaml(byte[] bytes) throws ConfigurationException {
    YamlSurgery yaml = YamlSurgery.of(bytes);
    Optional<Secret> token = yaml.secret("api", "token");
    if (token.isEmpty()) {
      return Scan.nothing("no api.token in config.yaml", List.of());
    }
    try {
      byte[] rewritten = yaml.removeWithEmptyParent("api", "token").result();
      return Scan.rewrite(List.of(new FoundSecret("api.token", CredentialId.of(tool),
          Map.of(), token.get())), rewritten, List.of());
    } catch (ConfigurationException | RuntimeException e) {
      token.get().close();
      throw e;
    }
  }

  private Scan oauthSession(byte[] bytes) throws ConfigurationException {
    List<String> tokens = JsonSurgery.stringPointers(bytes,
        path -> !path.isEmpty() && (path.get(path.size() - 1).equals("refresh_token")
            || path.get(path.size() - 1).equals("access_token")));
    if (tokens.isEmpty()) {
      return Scan.nothing("no OAuth tokens", List.of());
    }
    return Scan.nothing("an OAuth login session", List.of(new Reported(String.join(", ", tokens),
        "an OAuth login session (access and refresh token), not moved: create an API token and"
            + " use credstore login " + tool + ", then " + command() + " logout")));
  }

  /** Drops the session the CLI cached from the moved token, so it uses the variable's. */
  @Override
  public List<String> afterRewrite(Path file, Scan scan, Places places) throws IOException {
    Path dir = file.getParent();
    List<String> done = new ArrayList<>();
    if (!file.getFileName().toString().equals("api-token")) {
      dir = home(places).resolve(".session").resolve("sess-cli-" + sessionId(places));
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return done;
    }
    try (DirectoryStream<Path> cached = Files.newDirectoryStream(dir, "sess-api-token-*")) {
      for (Path session : cached) {
        if (Files.isRegularFile(session, LinkOption.NOFOLLOW_LINKS)) {
          Files.delete(session);
          done.add("removed the session cached from that token, " + session.getFileName());
        }
      }
    }
    return done;
  }

  private String command() {
    return tool.equals("platformsh") ? "platform" : tool;
  }
}
