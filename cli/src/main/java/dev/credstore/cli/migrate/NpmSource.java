package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import dev.credstore.cli.migrate.IniFile.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;

/**
 * npm's user config, {@code $npm_config_userconfig} else {@code ~/.npmrc}: {@code
 * //<registry>/:_authToken=<token>} lines. The token moves and the value becomes {@code
 * ${NPM_TOKEN…?}}, a placeholder npm expands from the environment ({@code ?}: to nothing when the
 * variable is unset, so plain {@code npm} keeps working for everything that needs no token); {@code
 * exec npm} sets that variable. {@code _auth} and {@code _password} lines are reported.
 *
 * <p>Accounts: {@code registry.npmjs.org} is the default account with {@code NPM_TOKEN}; another
 * registry's account is its {@code //host/path/} key with {@code NPM_TOKEN_<HOST_PATH>}.
 *
 * <p>npm before 11.5 (npm/cli#8359) has no {@code ?} form: it would read {@code ${NPM_TOKEN?}}
 * as a variable named {@code NPM_TOKEN?}, never set. For such an npm (or none on {@code PATH})
 * the placeholder is {@code ${NPM_TOKEN}}, which it leaves as that text when unset.
 */
final class NpmSource implements PlaintextSource {

  /** The first npm with {@code ${VAR?}}: 11.5. */
  static final int[] OPTIONAL_PLACEHOLDERS = {11, 5};

  static final String SERVICE = "npm";
  private static final String TOKEN_SUFFIX = ":_authToken";
  private static final String NPMJS = "//registry.npmjs.org/";

  private final BooleanSupplier optionalPlaceholders;

  /** {@code optionalPlaceholders}: whether the user's npm knows {@code ${VAR?}}; asked lazily. */
  NpmSource(BooleanSupplier optionalPlaceholders) {
    this.optionalPlaceholders = optionalPlaceholders;
  }

  /** Asks the npm on {@code PATH} for its version, once. */
  static NpmSource askingNpm() {
    boolean[] known = new boolean[2];
    return new NpmSource(() -> {
      if (!known[0]) {
        known[1] = npmVersion().map(NpmSource::knowsOptionalPlaceholders).orElse(false);
        known[0] = true;
      }
      return known[1];
    });
  }

  /** Whether npm {@code version} ("11.19.1") is 11.5 or later. */
  static boolean knowsOptionalPlaceholders(String version) {
    String[] parts = version.split("[.-]");
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
      return major > OPTIONAL_PLACEHOLDERS[0]
          || major == OPTIONAL_PLACEHOLDERS[0] && minor >= OPTIONAL_PLACEHOLDERS[1];
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** {@code npm --version}, without credstore's passphrase in its environment. */
  static Optional<String> npmVersion() {
    try {
      ProcessBuilder builder = new ProcessBuilder("npm", "--version")
          .redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().remove("CREDSTORE_PASSPHRASE");
      Process npm = builder.start();
      String out = new String(npm.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8).strip();
      if (!npm.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || npm.exitValue() != 0) {
        npm.destroyForcibly();
        return Optional.empty();
      }
      return out.lines().reduce((a, b) -> b);
    } catch (java.io.IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  @Override
  public String tool() {
    return SERVICE;
  }

  @Override
  public List<Path> files(Places places) {
    Optional<Path> configured = places.absolute("npm_config_userconfig")
        .or(() -> places.absolute("NPM_CONFIG_USERCONFIG"));
    return List.of(configured.orElse(places.inHome(".npmrc")));
  }

  @Override
  public Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    LineSurgery surgery = LineSurgery.of(bytes);
    List<FoundSecret> found = new ArrayList<>();
    List<Reported> reported = new ArrayList<>();
    List<Integer> edited = new ArrayList<>();
    try {
      for (Entry entry : IniFile.entries(bytes, false)) {
        String key = entry.key();
        if ((key.endsWith(":_auth") || key.endsWith(":_password") || key.equals("_auth")
            || key.equals("_password")) && !entry.isEmpty() && !isPlaceholder(bytes, entry)) {
          reported.add(new Reported(key + " (line " + entry.line().number() + ")",
              "a registry password, not moved: replace it with an _authToken, which credstore "
                  + "migrate can move"));
          continue;
        }
        if (!key.startsWith("//") || !key.endsWith(TOKEN_SUFFIX) || entry.isEmpty()
            || isPlaceholder(bytes, entry)) {
          continue;
        }
        String registry = key.substring(0, key.length() - TOKEN_SUFFIX.length());
        String variable = variable(registry);
        byte[] value = IniFile.value(bytes, entry);
        try {
          Map<String, String> metadata = new TreeMap<>();
          metadata.put("registry", registry);
          metadata.put("variable", variable);
          found.add(new FoundSecret(key, id(registry), metadata, Secret.fromUtf8(value)));
        } catch (IllegalArgumentException e) {
          throw new ConfigurationException(key + " holds a token that is not UTF-8");
        } finally {
          Arrays.fill(value, (byte) 0);
        }
        surgery.replace(entry.line(), entry.valueStart(), entry.valueEnd(),
            "${" + variable + (optionalPlaceholders.getAsBoolean() ? "?" : "") + "}");
        edited.add(entry.line().number());
      }
      if (found.isEmpty()) {
        return Scan.nothing("no _authToken in plaintext", reported);
      }
      byte[] rewritten = surgery.result((before, after) -> verify(before, after, edited));
      return Scan.rewrite(found, rewritten, reported);
    } catch (ConfigurationException | RuntimeException e) {
      found.forEach(FoundSecret::close);
      throw Scan.problem(e);
    }
  }

  /** Same entries, same keys, same values except the edited ones, now placeholders. */
  private static void verify(byte[] before, byte[] after, List<Integer> edited)
      throws ConfigurationException {
    List<Entry> was = IniFile.entries(before, false);
    List<Entry> now = IniFile.entries(after, false);
    boolean same = was.size() == now.size();
    for (int i = 0; same && i < was.size(); i++) {
      Entry a = was.get(i);
      Entry b = now.get(i);
      same = a.key().equals(b.key()) && a.section().equals(b.section())
          && (edited.contains(a.line().number()) ? isPlaceholder(after, b)
              : Arrays.equals(before, a.valueStart(), a.valueEnd(), after, b.valueStart(),
                  b.valueEnd()));
    }
    if (!same || LineSurgery.split(before).size() != LineSurgery.split(after).size()) {
      throw new ConfigurationException("credstore's edit would change more than the tokens; the "
          + "file is left as it is");
    }
  }

  /** {@code ${NAME}} or {@code ${NAME?}}, checked on the bytes: a token never becomes a String. */
  private static boolean isPlaceholder(byte[] bytes, Entry entry) {
    int start = entry.valueStart();
    int end = entry.valueEnd();
    if (end - start < 4 || bytes[start] != '$' || bytes[start + 1] != '{' || bytes[end - 1] != '}') {
      return false;
    }
    for (int i = start + 2; i < end - 1; i++) {
      if (bytes[i] == '}' || bytes[i] == '{' || bytes[i] == '$') {
        return false;
      }
    }
    return true;
  }

  static CredentialId id(String registry) {
    return CredentialId.of(SERVICE, registry.equals(NPMJS) ? CredentialId.DEFAULT_ACCOUNT
        : registry);
  }

  /** NPM_TOKEN for npmjs.org, else NPM_TOKEN_ and the registry's host and path in capitals. */
  static String variable(String registry) {
    if (registry.equals(NPMJS)) {
      return "NPM_TOKEN";
    }
    String name = registry.replaceAll("^/+|/+$", "").toUpperCase(Locale.ROOT)
        .replaceAll("[^A-Z0-9]+", "_");
    return ("NPM_TOKEN_" + name).substring(0, Math.min(120, 10 + name.length()));
  }

  @Override
  public Optional<HandBack> handBack(CredentialId id, Map<String, String> metadata) {
    String variable = metadata.get("variable");
    return Optional.of(new HandBack(variable != null ? variable
        : variable(metadata.getOrDefault("registry", NPMJS)), Map.of()));
  }
}
