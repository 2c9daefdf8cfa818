package dev.credstore.cli.session;

import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
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
  private static final AtomicBoolean SOCKETS_PREPARED = new AtomicBoolean();

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
   * The JDK's first Unix socket sets up its selector provider and, for socket names, a
   * SecureRandom with the security-provider list: ~8 ms in a cold JVM. The keychain's bus and the
   * unlock agent are reached by one; this does the set-up on another core while the command reads
   * its settings and checks its files. Connects to nothing.
   */
  static void prepareUnixSocketsInBackground() {
    once(SOCKETS_PREPARED, StartupWork::prepareUnixSockets, "credstore-socket-prepare");
  }

  private static void prepareUnixSockets() {
    try {
      SocketChannel.open(StandardProtocolFamily.UNIX).close();
    } catch (IOException | RuntimeException e) {
      // Only a head start: the real connect meets and handles the same problem.
    }
  }

  /**
   * Reads the jar's index on another core. On the keychain's path the java.util.logging set-up
   * that Bouncy Castle's registrar triggers asks ServiceLoader for a logger finder, and the
   * secret's decryption would wait for the jar to be opened. Nothing is loaded from the jar here.
   */
  static void readJarIndexInBackground() {
    once(INDEX_READ, StartupWork::readJarIndex, "credstore-jar-index");
  }

  private static void readJarIndex() {
    ClassLoader loader = StartupWork.class.getClassLoader();
    if (loader != null) {
      loader.getResource("META-INF/MANIFEST.MF");
    }
  }

  /** Runs {@code work} on a daemon thread, the first time only. */
  private static void once(AtomicBoolean started, Runnable work, String name) {
    if (!started.getAndSet(true)) {
      Thread thread = new Thread(work, name);
      thread.setDaemon(true);
      thread.start();
    }
  }
}
