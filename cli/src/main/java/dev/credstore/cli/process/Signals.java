package dev.credstore.cli.process;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Handles a POSIX signal in Java through {@code sun.misc.Signal}, which the JDK keeps accessible in
 * module {@code jdk.unsupported} for exactly this (JEP 260). Reached by reflection so that javac and
 * javadoc (which fails the build on warnings) do not warn about an internal API; when it is missing
 * or the JVM runs with {@code -Xrs}, handling is skipped.
 */
final class Signals {

  private Signals() {}

  /**
   * Runs {@code action} (on a JVM signal thread) whenever signal {@code name} ("TERM", "INT",
   * "HUP") arrives, instead of the JVM's default. Returns what restores the previous handler.
   */
  static Runnable handle(String name, Runnable action) {
    try {
      Class<?> signalClass = Class.forName("sun.misc.Signal");
      Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
      Object signal = signalClass.getConstructor(String.class).newInstance(name);
      InvocationHandler relay = (proxy, method, args) -> switch (method.getName()) {
        case "handle" -> {
          action.run();
          yield null;
        }
        case "hashCode" -> System.identityHashCode(proxy);
        case "equals" -> proxy == args[0];
        default -> "credstore handler for SIG" + name;
      };
      Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(),
          new Class<?>[] {handlerClass}, relay);
      Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
      Object previous = handle.invoke(null, signal, handler);
      return () -> {
        try {
          handle.invoke(null, signal, previous);
        } catch (ReflectiveOperationException | RuntimeException e) {
          // Restoring matters only for in-process callers; the process is about to exit anyway.
        }
      };
    } catch (ReflectiveOperationException | RuntimeException | LinkageError unsupported) {
      return () -> { };
    }
  }
}
