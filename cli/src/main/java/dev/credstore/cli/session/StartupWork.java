package dev.credstore.cli.session;

import java.lang.reflect.Modifier;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Start-up work a command does less of, or on another core, once it is about to open a store.
 * Class-data sharing serves every class, so a command runs without ever opening the jar until its
 * first resource lookup, and that lookup reads the central directory of all 6,000 entries: ~9 ms.
 */
final class StartupWork {

  private static final String SELECTOR_PROVIDER = "java.nio.channels.spi.SelectorProvider";
  private static final AtomicBoolean INDEX_READ = new AtomicBoolean();

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

  /**
   * Reads the jar's index on another core. On the keychain's path the java.util.logging set-up
   * that Bouncy Castle's registrar triggers asks ServiceLoader for a logger finder, and the
   * secret's decryption would wait for the jar to be opened. Nothing is loaded from the jar here.
   */
  static void readJarIndexInBackground() {
    if (INDEX_READ.getAndSet(true)) {
      return;
    }
    Thread thread = new Thread(StartupWork::readJarIndex, "credstore-jar-index");
    thread.setDaemon(true);
    thread.start();
  }

  private static void readJarIndex() {
    ClassLoader loader = StartupWork.class.getClassLoader();
    if (loader != null) {
      loader.getResource("META-INF/MANIFEST.MF");
    }
  }
}
