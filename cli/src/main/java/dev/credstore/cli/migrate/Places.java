package dev.credstore.cli.migrate;

import dev.credstore.spi.UserDirectories;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the tools of a process with this environment keep their files: home and XDG directories
 * as {@link UserDirectories} resolves them, plus the variables a tool reads to find its own file
 * (an unset, empty or relative one means the tool's default).
 */
public final class Places {

  private final Map<String, String> environment;
  private final UserDirectories directories;

  public Places(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    this.directories = UserDirectories.of(environment);
  }

  public Path home() {
    return directories.home();
  }

  /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
  public Path configHome() {
    return directories.configHome();
  }

  /** {@code $XDG_RUNTIME_DIR} if set to an absolute path. */
  public Optional<Path> runtimeDir() {
    return absolute("XDG_RUNTIME_DIR");
  }

  /** The variable's value if it is set and non-empty. */
  public Optional<String> variable(String name) {
    String value = environment.get(name);
    return value == null || value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  /** The variable as a path if it is set to an absolute one. */
  public Optional<Path> absolute(String name) {
    return variable(name).map(Path::of).filter(Path::isAbsolute).map(Path::normalize);
  }

  /** {@code ~/relative}. */
  public Path inHome(String relative) {
    return home().resolve(relative).normalize();
  }

  public Map<String, String> environment() {
    return environment;
  }
}
