package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * GitHub CLI's {@code hosts.yml} in {@code $GH_CONFIG_DIR}, else {@code
 * ${XDG_CONFIG_HOME:-~/.config}/gh}, when gh fell back to plaintext: {@code <host>.oauth_token}
 * (the active user's) and, since gh 2.40, {@code <host>.users.<user>.oauth_token}. They move and
 * their lines go; every other byte stays, and a user whose token was the only key reads as {@code
 * user:} with no value, which is how gh itself writes a user whose token is in a keyring.
 *
 * <p>Accounts: the active user's token of {@code github.com} is the default account, another
 * host's is the host name, any other user's {@code user@host}. {@code exec gh} sets {@code
 * GH_TOKEN} for github.com and {@code GH_ENTERPRISE_TOKEN} plus {@code GH_HOST} for other hosts,
 * the variables gh reads before its config.
 */
final class GhSource implements PlaintextSource {

  static final String SERVICE = "gh";
  static final String GITHUB = "github.com";

  @Override
  public String tool() {
    return SERVICE;
  }

  @Override
  public List<Path> files(Places places) {
    Path dir = places.absolute("GH_CONFIG_DIR").orElse(places.configHome().resolve("gh"));
    return List.of(dir.resolve("hosts.yml"));
  }

  @Override
  public Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    YamlSurgery yaml = YamlSurgery.of(bytes);
    Map<CredentialId, FoundSecret> found = new LinkedHashMap<>();
    try {
      for (String host : yaml.keys()) {
        Optional<String> active = yaml.text(host, "user");
        Optional<Secret> hostToken = yaml.secret(host, "oauth_token");
        if (hostToken.isPresent()) {
          add(found, host + ".oauth_token", account(host, active.orElse(null), active),
              host, active.orElse(null), hostToken.get());
          yaml.remove(host, "oauth_token");
        }
        for (String user : yaml.keys(host, "users")) {
          Optional<Secret> token = yaml.secret(host, "users", user, "oauth_token");
          if (token.isPresent()) {
            add(found, host + ".users." + user + ".oauth_token", account(host, user, active), host,
                user, token.get());
            yaml.remove(host, "users", user, "oauth_token");
          }
        }
      }
      if (found.isEmpty()) {
        return Scan.nothing("no oauth_token in hosts.yml", List.of());
      }
      return Scan.rewrite(new ArrayList<>(found.values()), yaml.result(), List.of());
    } catch (ConfigurationException | RuntimeException e) {
      found.values().forEach(FoundSecret::close);
      throw Scan.problem(e);
    }
  }

  /** The active user's token appears twice in gh 2.40+ files: once stored, both lines cut. */
  private static void add(Map<CredentialId, FoundSecret> found, String locator, CredentialId id,
      String host, String user, Secret token) throws ConfigurationException {
    FoundSecret earlier = found.get(id);
    if (earlier != null) {
      boolean same = earlier.secret().sameAs(token);
      token.close();
      if (!same) {
        throw new ConfigurationException(locator + " differs from " + earlier.locator()
            + " for the same user; fix the file with gh auth login first");
      }
      return;
    }
    Map<String, String> metadata = new TreeMap<>();
    metadata.put("host", host);
    if (user != null) {
      metadata.put("user", user);
    }
    found.put(id, new FoundSecret(locator, id, metadata, token));
  }

  private static CredentialId account(String host, String user, Optional<String> active) {
    boolean isActive = user == null || active.isEmpty() || active.get().equals(user);
    if (isActive) {
      return CredentialId.of(SERVICE, host.equals(GITHUB) ? CredentialId.DEFAULT_ACCOUNT : host);
    }
    return CredentialId.of(SERVICE, user + "@" + host);
  }

  @Override
  public Optional<HandBack> handBack(CredentialId id, Map<String, String> metadata) {
    String host = metadata.getOrDefault("host", GITHUB);
    if (host.equals(GITHUB)) {
      return Optional.of(new HandBack("GH_TOKEN", Map.of()));
    }
    return Optional.of(new HandBack("GH_ENTERPRISE_TOKEN", Map.of("GH_HOST", host)));
  }
}
