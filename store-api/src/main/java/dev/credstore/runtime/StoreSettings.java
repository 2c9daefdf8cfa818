package dev.credstore.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.StorageException;
import dev.credstore.spi.JsonTrees;
import dev.credstore.spi.Names;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import dev.credstore.spi.StoreOptions;
import dev.credstore.spi.UserDirectories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * credstore's settings as the command and embedding applications share them: the XDG directories,
 * the optional config file {@code $XDG_CONFIG_HOME/credstore/config.json}, and the environment
 * variables {@value #BACKEND_VARIABLE}, {@value #STORE_VARIABLE} and
 * {@value #PASSPHRASE_FILE_VARIABLE}. Each setting remembers where it came from, so that
 * {@code status} can say why a backend was chosen.
 *
 * <p>Precedence, highest first: explicit overrides ({@code with…}, e.g. from command-line flags),
 * environment variables, the config file, defaults. Immutable.
 *
 * <p>One store per user: when the backend is left to {@value #AUTO}, the first write remembers the
 * backend it went to in {@value #MEMORY_FILE_NAME} next to the config file ({@link
 * #rememberBackend}), and later sessions use that backend whatever they could reach, so that a
 * desktop session and a cron job never split one user's credentials between two stores.
 */
public final class StoreSettings {

  public static final String BACKEND_VARIABLE = "CREDSTORE_BACKEND";
  public static final String STORE_VARIABLE = "CREDSTORE_STORE";
  public static final String PASSPHRASE_FILE_VARIABLE = "CREDSTORE_PASSPHRASE_FILE";
  /** The backend name that means "choose automatically". */
  public static final String AUTO = "auto";
  /** The file, in the config directory, that remembers which backend holds the credentials. */
  public static final String MEMORY_FILE_NAME = "backend.json";
  // {"backend": "<id>"} is a few dozen bytes; anything near this is not ours.
  private static final int MEMORY_MAX_BYTES = 4096;

  private static final Set<String> CONFIG_KEYS =
      Set.of("backend", "store", "passphraseFile", "services", "unlockMaximum");

  private final Map<String, String> environment;
  private final Path configDirectory;
  private final Path dataDirectory;
  private final Path configFile;
  private final Setting<String> backend;
  private final boolean backendRemembered;
  private final Setting<Path> storeFile;
  private final Setting<Path> passphraseFile;
  private final Setting<String> unlockMaximum;
  // The config file's "services" object, read with everything else; KnownServices parses it.
  private final JsonNode services;

  /** A value and where it came from, e.g. "--backend", "CREDSTORE_BACKEND", a config file path. */
  public record Setting<T>(T value, String source) {
    public Setting {
      Objects.requireNonNull(source, "source");
    }
  }

  private StoreSettings(Map<String, String> environment, Path configDirectory, Path dataDirectory,
      Path configFile, Setting<String> backend, boolean backendRemembered, Setting<Path> storeFile,
      Setting<Path> passphraseFile, Setting<String> unlockMaximum, JsonNode services) {
    this.environment = environment;
    this.configDirectory = configDirectory;
    this.dataDirectory = dataDirectory;
    this.configFile = configFile;
    this.backend = backend;
    this.backendRemembered = backendRemembered;
    this.storeFile = storeFile;
    this.passphraseFile = passphraseFile;
    this.unlockMaximum = unlockMaximum;
    this.services = services;
  }

  /**
   * Reads the settings for a process with {@code environment}.
   *
   * @throws ConfigurationException if the config file is malformed or names a bad value
   * @throws StorageException if the config file exists but cannot be read
   */
  public static StoreSettings load(Map<String, String> environment)
      throws ConfigurationException, StorageException {
    Map<String, String> env = Map.copyOf(environment);
    UserDirectories directories = UserDirectories.of(env);
    Path home = directories.home();
    Path configDirectory = directories.credstoreConfig();
    Path dataDirectory = directories.credstoreData();
    Path configFile = configDirectory.resolve("config.json");

    JsonNode config = readConfig(configFile);
    String fileSource = configFile.toString();
    Setting<String> backend = new Setting<>(AUTO, "default");
    Setting<Path> store = new Setting<>(null, "default");
    Setting<Path> passphraseFile = new Setting<>(null, "default");
    Setting<String> unlockMaximum = new Setting<>(null, "default");
    if (config != null) {
      unlockMaximum = textSetting(config, "unlockMaximum", fileSource).orElse(unlockMaximum);
      backend = textSetting(config, "backend", fileSource).orElse(backend);
      store = textSetting(config, "store", fileSource)
          .map(s -> new Setting<>(directories.expand(s.value(), home), s.source())).orElse(store);
      passphraseFile = textSetting(config, "passphraseFile", fileSource)
          .map(s -> new Setting<>(directories.expand(s.value(), home), s.source()))
          .orElse(passphraseFile);
    }
    boolean remembered = false;
    if (nonEmpty(env.get(BACKEND_VARIABLE))) {
      backend = new Setting<>(env.get(BACKEND_VARIABLE), BACKEND_VARIABLE);
    } else if ("default".equals(backend.source())) {
      // Not when a config file says "auto": that asks for a fresh choice every time.
      Path memory = configDirectory.resolve(MEMORY_FILE_NAME);
      String chosen = readMemory(memory);
      if (chosen != null) {
        backend = new Setting<>(chosen, "the first write (remembered in " + memory + ")");
        remembered = true;
      }
    }
    if (nonEmpty(env.get(STORE_VARIABLE))) {
      store = new Setting<>(directories.expand(env.get(STORE_VARIABLE), cwd()), STORE_VARIABLE);
    }
    if (nonEmpty(env.get(PASSPHRASE_FILE_VARIABLE))) {
      passphraseFile = new Setting<>(
          directories.expand(env.get(PASSPHRASE_FILE_VARIABLE), cwd()),
          PASSPHRASE_FILE_VARIABLE);
    }
    checkBackendName(backend);
    return new StoreSettings(env, configDirectory, dataDirectory, configFile, backend, remembered,
        store, passphraseFile, unlockMaximum, config == null ? null : config.get("services"));
  }

  /** These settings with the backend named by {@code source} (e.g. "--backend"). */
  public StoreSettings withBackend(String name, String source) throws ConfigurationException {
    Setting<String> setting = new Setting<>(name, source);
    checkBackendName(setting);
    return new StoreSettings(environment, configDirectory, dataDirectory, configFile, setting,
        false, storeFile, passphraseFile, unlockMaximum, services);
  }

  /** These settings with an explicit store file named by {@code source} (e.g. "--store"). */
  public StoreSettings withStoreFile(Path file, String source) {
    return new StoreSettings(environment, configDirectory, dataDirectory, configFile, backend,
        backendRemembered, new Setting<>(file.toAbsolutePath().normalize(), source),
        passphraseFile, unlockMaximum, services);
  }

  /** These settings with a passphrase file named by {@code source} (e.g. "--passphrase-file"). */
  public StoreSettings withPassphraseFile(Path file, String source) {
    return new StoreSettings(environment, configDirectory, dataDirectory, configFile, backend,
        backendRemembered, storeFile, new Setting<>(file.toAbsolutePath().normalize(), source),
        unlockMaximum, services);
  }

  /**
   * The config file's {@code "unlockMaximum"}, the longest {@code credstore unlock} allowed, as
   * written (e.g. "8h"; the CLI parses it); null value when not configured.
   */
  public Setting<String> unlockMaximum() {
    return unlockMaximum;
  }

  public Map<String, String> environment() {
    return environment;
  }

  /** The config file's {@code "services"} object, or null; parsed by {@link KnownServices}. */
  JsonNode servicesConfig() {
    return services;
  }

  /** {@code $XDG_CONFIG_HOME/credstore}. */
  public Path configDirectory() {
    return configDirectory;
  }

  /** {@code $XDG_DATA_HOME/credstore}. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /** {@code $XDG_CONFIG_HOME/credstore/config.json}, whether or not it exists. */
  public Path configFile() {
    return configFile;
  }

  /** The requested backend id, or {@value #AUTO}. */
  public Setting<String> backend() {
    return backend;
  }

  /**
   * Whether {@link #backend()} is the one a first write remembered ({@value #MEMORY_FILE_NAME}),
   * rather than named by a flag, variable or config file.
   */
  public boolean backendRemembered() {
    return backendRemembered;
  }

  /** {@code $XDG_CONFIG_HOME/credstore/backend.json}, whether or not it exists. */
  public Path backendMemoryFile() {
    return configDirectory.resolve(MEMORY_FILE_NAME);
  }

  /**
   * Remembers {@code backendId} as the backend holding this user's credentials, if the backend was
   * left to {@value #AUTO} and nothing is remembered yet; called after the first successful write.
   * The file is written atomically, 0600 in a 0700 directory.
   *
   * @return whether it was written now (the caller says so on stderr)
   * @throws CredentialStoreException if the file cannot be written or its lock had
   */
  public boolean rememberBackend(String backendId) throws CredentialStoreException {
    if (backendRemembered || !AUTO.equals(backend.value()) || !"default".equals(backend.source())) {
      return false;
    }
    Path memory = backendMemoryFile();
    byte[] json = ("{\"backend\": \"" + backendId + "\", \"rememberedAt\": \""
        + java.time.Instant.now() + "\"}\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    PrivateFiles.ensureDirectory(configDirectory);
    // Under a lock, so that of two first writes at once only one remembers, and never replaces.
    return PrivateLock.hold(configDirectory.resolve(MEMORY_FILE_NAME + ".lock"),
        Duration.ofSeconds(5), () -> {
          if (Files.exists(memory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return false;
          }
          PrivateFiles.replace(memory, json);
          return true;
        });
  }

  /** The remembered backend id, or null when nothing is remembered. */
  private static String readMemory(Path file) throws ConfigurationException, StorageException {
    // Written by PrivateFiles.replace, read back the same way: never through a planted link.
    byte[] bytes = PrivateFiles.readIfExists(file, MEMORY_MAX_BYTES);
    if (bytes == null) {
      return null;
    }
    JsonNode root;
    try {
      root = JsonTrees.read(bytes);
    } catch (IOException e) {
      root = null;
    }
    JsonNode backend = root == null ? null : root.get("backend");
    if (backend == null || !backend.isTextual()
        || !Names.isAsciiName(backend.asText(), 32, false, "", "-")
        || AUTO.equals(backend.asText())) {
      throw new ConfigurationException(file + " does not name a backend (it should hold"
          + " {\"backend\": \"keychain\"} or \"file\"); fix or delete it, and credstore's next"
          + " write remembers the backend it uses");
    }
    return backend.asText();
  }

  /** The explicit store file, whose value is null when the backend's default applies. */
  public Setting<Path> storeFile() {
    return storeFile;
  }

  /** The passphrase file, whose value is null when none is configured. */
  public Setting<Path> passphraseFile() {
    return passphraseFile;
  }

  /**
   * The passphrase sources these settings name, in order: the passphrase file if one is set, else
   * {@value PassphraseSource#ENV_VARIABLE}. A configured file wins so that a stray environment
   * variable cannot silently override it.
   */
  public PassphraseSource configuredPassphrases() {
    return passphraseFile.value() != null
        ? PassphraseSource.fromFile(passphraseFile.value())
        : PassphraseSource.fromEnvironment(environment);
  }

  /** Options for opening a store, with {@code passphrases} as the passphrase source. */
  public StoreOptions toOptions(PassphraseSource passphrases) {
    return StoreOptions.builder()
        .dataDirectory(dataDirectory)
        .storeFile(storeFile.value())
        .passphrases(passphrases)
        .environment(environment)
        .build();
  }

  private static JsonNode readConfig(Path file) throws ConfigurationException, StorageException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException absent) {
      return null;
    } catch (IOException e) {
      throw new StorageException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    JsonNode root;
    try {
      root = JsonTrees.read(bytes);
    } catch (JsonProcessingException e) {
      throw new ConfigurationException("config file " + file + " is not valid JSON (line "
          + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")", e);
    } catch (IOException e) {
      throw new StorageException("cannot read config file " + file + ": " + e.getMessage(), e);
    }
    if (root == null || root.isMissingNode()) {
      return null;
    }
    if (!root.isObject()) {
      throw new ConfigurationException("config file " + file + " must hold a JSON object");
    }
    for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!CONFIG_KEYS.contains(name)) {
        throw new ConfigurationException("config file " + file + " has unknown key '" + name
            + "'; known keys: backend, store, passphraseFile, services");
      }
    }
    return root;
  }

  private static Optional<Setting<String>> textSetting(JsonNode config, String key, String source)
      throws ConfigurationException {
    JsonNode node = config.get(key);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual() || node.asText().isBlank()) {
      throw new ConfigurationException("config file " + source + ": '" + key
          + "' must be a non-empty string");
    }
    return Optional.of(new Setting<>(node.asText(), source));
  }

  private static void checkBackendName(Setting<String> backend) throws ConfigurationException {
    if (!Names.isAsciiName(backend.value(), 32, false, "", "-")) {
      throw new ConfigurationException("backend name '" + backend.value() + "' from "
          + backend.source() + " is not valid; use auto, "
          + String.join(", ", Backends.shippedIds()) + " or another installed backend's id");
    }
  }

  // Relative paths in the config file are taken from the home directory, not from wherever the
  // command happens to run; in variables they mean what a shell user expects: the working directory.
  private static Path cwd() {
    return Path.of("").toAbsolutePath();
  }

  private static boolean nonEmpty(String value) {
    return value != null && !value.isEmpty();
  }
}
