package dev.credstore.cli.session;

import java.lang.reflect.Modifier;
import java.nio.channels.spi.SelectorProvider;

/**
 * Start-up work a command skips once it is about to open a store. Class-data sharing serves every
 * class, so a command runs without ever opening the jar until its first resource lookup, and that
 * lookup reads the central directory of all 6,000 entries: ~9 ms.
 */
final class StartupWork {

  private static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";

  private StartupWork() {}

  /**
   * The first Unix socket (the Secret Service's bus, the unlock agent) asks {@link
   * java.util.ServiceLoader} for a selector provider, which opens the jar. Naming the JDK's own
   * default skips the lookup; only where that class is what the JDK would pick anyway, and on any
   * doubt (another JDK, a provider the user chose) nothing changes.
   */
  static void nameTheDefaultSelectorProvider() {
    String os = System.getProperty("os.name", "");
    String name = os.equals("Linux") ? "sun.nio.ch.EPollSelectorProvider"
        : os.startsWith("Mac") ? "sun.nio.ch.KQueueSelectorProvider" : null;
    if (name == null || System.getProperty(SELECTOR_PROVIDER) != null) {
      return;
    }
    try {
      Class<?> provider = Class.forName(name, false, null);
      if (SelectorProvider.class.isAssignableFrom(provider)
          && Modifier.isPublic(provider.getConstructor().getModifiers())) {
        System.setProperty(SELECTOR_PROVIDER, name);
      }
    } catch (ReflectiveOperationException | LinkageError | SecurityException e) {
      // Not this JDK's default: the usual lookup.
    }
  }
}
