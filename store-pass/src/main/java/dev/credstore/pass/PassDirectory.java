package dev.credstore.pass;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import dev.credstore.spi.UserDirectories;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * A password store on disk and the programs that work on it, found the way {@code pass} finds
 * them: {@code PASSWORD_STORE_DIR} or {@code ~/.password-store}; recipients from {@code
 * PASSWORD_STORE_KEY} or the nearest {@code .gpg-id}; {@code gpg}, {@code pass} and {@code git} on
 * the {@code PATH} of the environment in {@link dev.credstore.spi.StoreOptions}.
 */
final class PassDirectory {

  static final String GPG_ID = ".gpg-id";

  final Path root;
  final Map<String, String> environment;

  private PassDirectory(Path root, Map<String, String> environment) {
    this.root = root;
    this.environment = environment;
  }

  static PassDirectory of(Map<String, String> environment) {
    String configured = environment.get("PASSWORD_STORE_DIR");
    Path root;
    if (configured != null && !configured.isEmpty()) {
      root = Path.of(configured);
    } else {
      root = UserDirectories.of(environment).home().resolve(".password-store");
    }
    Map<String, String> children = new HashMap<>(environment);
    // As pass does: git must not wander into a repository above the store or be redirected.
    for (String variable : List.of("GIT_DIR", "GIT_WORK_TREE", "GIT_NAMESPACE", "GIT_INDEX_FILE",
        "GIT_INDEX_VERSION", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")) {
      children.remove(variable);
    }
    Path absolute = root.toAbsolutePath().normalize();
    children.put("GIT_CEILING_DIRECTORIES", absolute.resolve("..").normalize().toString());
    children.put("PASSWORD_STORE_DIR", absolute.toString());
    return new PassDirectory(absolute, Map.copyOf(children));
  }

  /** The program's path on the environment's PATH, if it is installed. */
  Optional<Path> program(String name) {
    String path = environment.getOrDefault("PATH", "/usr/bin:/bin");
    for (String directory : path.split(":")) {
      if (directory.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(directory, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Why this store cannot be used here, or empty when pass, gpg and a .gpg-id are all there. */
  Optional<String> problem() {
    if (program("pass").isEmpty()) {
      return Optional.of("pass is not installed (no pass on PATH; Debian: apt install pass)");
    }
    if (program("gpg").isEmpty()) {
      return Optional.of("gpg is not installed (no gpg on PATH; Debian: apt install gnupg)");
    }
    if (!Files.isDirectory(root)) {
      return Optional.of("no password store at " + root + "; create one with: pass init"
          + " <your-gpg-key-id> (PASSWORD_STORE_DIR chooses another place)");
    }
    if (gpgIdFile(root.resolve(PassStore.ROOT)).isEmpty()
        && environment.getOrDefault("PASSWORD_STORE_KEY", "").isBlank()) {
      return Optional.of("the password store at " + root + " has no " + GPG_ID + " (it was"
          + " never initialised); run: pass init <your-gpg-key-id>");
    }
    return Optional.empty();
  }

  /** {@link #problem()} as the exception open() throws. */
  void check() throws BackendUnavailableException {
    Optional<String> problem = problem();
    if (problem.isPresent()) {
      throw new BackendUnavailableException("the pass backend cannot work here: "
          + problem.get());
    }
  }

  /** The nearest .gpg-id at or above {@code directory}, within the store, as pass looks for it. */
  Optional<Path> gpgIdFile(Path directory) {
    for (Path current = directory; current != null && current.startsWith(root);
        current = current.getParent()) {
      Path candidate = current.resolve(GPG_ID);
      if (Files.isRegularFile(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The GPG ids an entry in {@code directory} is encrypted to.
   *
   * @throws CredentialStoreException if there are none, or they would need a signature check
   */
  List<String> recipients(Path directory) throws CredentialStoreException {
    String key = environment.getOrDefault("PASSWORD_STORE_KEY", "").strip();
    if (!key.isEmpty()) {
      return List.of(key.split("\\s+"));
    }
    if (!environment.getOrDefault("PASSWORD_STORE_SIGNING_KEY", "").isBlank()) {
      // pass then verifies .gpg-id's signature; writing without that check would defeat it.
      throw new ConfigurationException("PASSWORD_STORE_SIGNING_KEY is set, and credstore does not"
          + " verify signed .gpg-id files; unset it for credstore or write with pass itself");
    }
    Path file = gpgIdFile(directory).orElseThrow(() -> new BackendUnavailableException(
        "the password store at " + root + " has no " + GPG_ID + "; run: pass init"
            + " <your-gpg-key-id>"));
    List<String> ids = readIds(file);
    if (ids.isEmpty()) {
      throw new BackendUnavailableException(file + " names no GPG key; run: pass init"
          + " <your-gpg-key-id>");
    }
    return ids;
  }

  /** The recipients for credstore's entries, for humans; never throws. */
  String recipientsSummary() {
    try {
      return String.join(", ", recipients(root.resolve(PassStore.ROOT)));
    } catch (CredentialStoreException | RuntimeException e) {
      return "none (" + GPG_ID + " missing)";
    }
  }

  private static List<String> readIds(Path file) throws StorageException {
    List<String> ids = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        int hash = line.indexOf('#');
        String id = (hash >= 0 ? line.substring(0, hash) : line).strip();
        if (!id.isEmpty()) {
          ids.add(id);
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return ids;
  }

  /** Whether the store is a git repository, as pass decides for entries in it. */
  boolean isGit() {
    return Files.exists(root.resolve(".git"));
  }

  /** The store's git remotes as "name url", or empty if none or not a git repository. */
  List<String> gitRemotes(Duration timeout) {
    if (!isGit() || program("git").isEmpty()) {
      return List.of();
    }
    try (Commands.Output output = Commands.run(List.of(program("git").get().toString(), "-C",
        root.toString(), "config", "--get-regexp", "^remote\\..*\\.url$"), environment, null,
        null, timeout)) {
      List<String> remotes = new ArrayList<>();
      for (String line : output.text().split("\n")) {
        String[] parts = line.strip().split(" ", 2);
        if (parts.length == 2) {
          String name = parts[0].substring("remote.".length(), parts[0].length() - ".url".length());
          remotes.add(name + " " + withoutPassword(parts[1]));
        }
      }
      return remotes;
    } catch (IOException | TimeoutException e) {
      return List.of();
    }
  }

  // A remote URL may carry a token (https://user:token@host/...); status output must not.
  static String withoutPassword(String url) {
    int scheme = url.indexOf("://");
    int at = url.indexOf('@');
    if (scheme < 0 || at < scheme) {
      return url;
    }
    int colon = url.indexOf(':', scheme + 3);
    return colon > 0 && colon < at ? url.substring(0, colon) + url.substring(at) : url;
  }

  /** Recipients and git remote, for status and doctor. */
  String describe(Duration timeout) {
    StringBuilder text = new StringBuilder("encrypted to ").append(recipientsSummary());
    if (isGit()) {
      List<String> remotes = gitRemotes(timeout);
      text.append(remotes.isEmpty() ? ", git repository without a remote"
          : ", git remote " + String.join(", ", remotes));
    } else {
      text.append(", not a git repository");
    }
    return text.toString();
  }
}
