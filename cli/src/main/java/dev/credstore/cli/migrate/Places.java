package dev.credstore.cli.migrate;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where a process with this environment keeps its files: {@code HOME}, the XDG base directories
 * (an unset, empty or relative value means the default, as the XDG spec says) and any variable a
 * tool reads to find its own file. One place that resolves them, for every source.
 */
public final class Places {

  private final Map<String, String> environment;
  private final Path home;

  public Places(Map<String, String> environment, Path home) {
    this.environment = Map.copyOf(environment);
    this.home = home;
  }

  public Path home() {
    return home;
  }

  /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
  public Path configHome() {
    return absolute("XDG_CONFIG_HOME").orElse(home.resolve(".config"));
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
    return home.resolve(relative).normalize();
  }

  public Map<String, String> environment() {
    return environment;
  }
}
