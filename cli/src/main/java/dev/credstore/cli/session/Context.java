package dev.credstore.cli.session;

import dev.credstore.cli.console.Terminal;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;

/**
 * What the command takes from its process: environment, standard input, terminal and clock. Passed
 * in rather than read globally, so that in-process tests control all of it.
 *
 * @param environment the variables credstore sees
 * @param stdin standard input, unbuffered so that no copy of a piped secret lingers in a buffer we
 *     cannot clear
 * @param terminal the console for hidden prompts
 * @param clock for ages in {@code list} and {@code status}
 */
public record Context(Map<String, String> environment, InputStream stdin, Terminal terminal,
    Clock clock) {

  public Context {
    environment = Map.copyOf(environment);
  }

  public static Context system() {
    return new Context(System.getenv(), new FileInputStream(FileDescriptor.in), Terminal.system(),
        Clock.systemUTC());
  }
}
