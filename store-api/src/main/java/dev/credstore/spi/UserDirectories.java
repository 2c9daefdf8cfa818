package dev.credstore.spi;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where a user's files live, resolved once from a process environment (passed in, so that callers
 * and tests control it): the home directory ({@code HOME}, else the JVM's {@code user.home}) and
 * the XDG base directories. Per the XDG spec a relative or empty {@code XDG_*} value is invalid
 * and ignored. The one place credstore reads these variables. Immutable.
 */
public final class UserDirectories {

  /** credstore's own subdirectory of each base directory. */
  public static final String APPLICATION = "credstore";

  private final Map<String, String> environment;
  private final Path home;

  private UserDirectories(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
    String value = environment.get("HOME");
    this.home = Path.of(value == null || value.isEmpty() ? System.getProperty("user.home") : value)
        .toAbsolutePath().normalize();
  }

  public static UserDirectories of(Map<String, String> environment) {
    return new UserDirectories(environment);
  }

  /** The home directory, absolute. */
  public Path home() {
    return home;
  }

  /** {@code $XDG_CONFIG_HOME}, else {@code ~/.config}. */
  public Path configHome() {
    return base("XDG_CONFIG_HOME", ".config");
  }

  /** {@code $XDG_DATA_HOME}, else {@code ~/.local/share}. */
  public Path dataHome() {
    return base("XDG_DATA_HOME", ".local/share");
  }

  /** {@code $XDG_STATE_HOME}, else {@code ~/.local/state}. */
  public Path stateHome() {
    return base("XDG_STATE_HOME", ".local/state");
  }

  /** {@code $XDG_CONFIG_HOME/credstore}. */
  public Path credstoreConfig() {
    return configHome().resolve(APPLICATION);
  }

  /** {@code $XDG_DATA_HOME/credstore}. */
  public Path credstoreData() {
    return dataHome().resolve(APPLICATION);
  }

  /** {@code $XDG_STATE_HOME/credstore}. */
  public Path credstoreState() {
    return stateHome().resolve(APPLICATION);
  }

  /**
   * {@code value} with a leading {@code ~} or {@code ~/} taken as the home directory; a path that
   * stays relative is resolved against {@code relativeTo}. Normalised.
   */
  public Path expand(String value, Path relativeTo) {
    String expanded = value.equals("~") ? home.toString()
        : value.startsWith("~/") ? home.resolve(value.substring(2)).toString() : value;
    Path path = Path.of(expanded);
    return (path.isAbsolute() ? path : relativeTo.resolve(path)).normalize();
  }

  private Path base(String variable, String underHome) {
    String value = environment.get(variable);
    if (value != null && !value.isEmpty() && Path.of(value).isAbsolute()) {
      return Path.of(value).normalize();
    }
    return home.resolve(underHome);
  }
}
