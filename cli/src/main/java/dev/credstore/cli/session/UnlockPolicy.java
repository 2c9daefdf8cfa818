package dev.credstore.cli.session;

import dev.credstore.api.ConfigurationException;
import dev.credstore.cli.output.Durations;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.runtime.StoreSettings;
import java.time.Duration;

/**
 * How long {@code credstore unlock} may hold the file store's key: by default and at most. Shared by
 * {@code unlock} and {@code doctor}.
 */
public final class UnlockPolicy {

  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(15);
  public static final Duration DEFAULT_MAXIMUM = Duration.ofHours(12);
  public static final String CONFIG_KEY = "unlockMaximum";

  private UnlockPolicy() {}

  /**
   * The configured maximum ({@code "unlockMaximum"} in config.json), else the
   * default of 12 hours.
   *
   * @throws ConfigurationException if the configured value is not a duration
   */
  public static Duration maximum(StoreSettings settings) throws ConfigurationException {
    StoreSettings.Setting<String> configured = settings.unlockMaximum();
    if (configured.value() == null) {
      return DEFAULT_MAXIMUM;
    }
    try {
      return Durations.parse(configured.value(), "config file " + configured.source() + ": '"
          + CONFIG_KEY + "'");
    } catch (UsageException e) {
      throw new ConfigurationException(e.getMessage(), e);
    }
  }

  /** Where the maximum comes from, for messages. */
  public static String maximumSource(StoreSettings settings) {
    StoreSettings.Setting<String> configured = settings.unlockMaximum();
    return configured.value() == null ? "the default; set \"" + CONFIG_KEY + "\" in "
        + settings.configFile() + " to change it" : "\"" + CONFIG_KEY + "\" in "
        + configured.source();
  }
}
