package dev.credstore.cli.console;

import dev.credstore.api.Secret;
import java.io.Console;
import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** The interactive terminal, if there is one; a seam so that tests can answer prompts. */
public interface Terminal {

  /** Whether prompting is possible (a console is attached). */
  boolean isPresent();

  /**
   * Asks a question with echo on (a confirmation, never a secret). Returns the line typed, or null
   * at end of input or without a terminal.
   */
  default String readLine(String prompt) {
    return null;
  }

  /** Whether standard input is a terminal: a secret "piped" from it would be typed with echo. */
  default boolean inputIsTerminal() {
    return false;
  }

  /**
   * Whether standard output is a terminal, so that output may be laid out for a person. Java 17
   * tells only that standard input and output both are (a console), which is what this says.
   */
  default boolean outputIsTerminal() {
    return false;
  }

  /**
   * Prompts with echo off. Returns the characters typed, which the caller must zero, or null at end
   * of input.
   */
  char[] readPassword(String prompt);

  /**
   * The process console, looked up at each call; failing that, the controlling terminal
   * {@code /dev/tty}. Java 17 has no console as soon as stdout is redirected, which is exactly
   * how scripts call {@code TOKEN=$(credstore get k6)}; like ssh and gpg, credstore then prompts on
   * the terminal itself.
   */
  static Terminal system() {
    return new Terminal() {
      @Override
      public boolean isPresent() {
        return System.console() != null || ControllingTerminal.isPresent();
      }

      @Override
      public boolean outputIsTerminal() {
        return System.console() != null;
      }

      @Override
      public boolean inputIsTerminal() {
        return System.console() != null;
      }

      @Override
      public char[] readPassword(String prompt) {
        Console console = System.console();
        return console != null ? console.readPassword("%s", prompt)
            : ControllingTerminal.readPassword(prompt);
      }

      @Override
      public String readLine(String prompt) {
        Console console = System.console();
        return console != null ? console.readLine("%s", prompt)
            : ControllingTerminal.readLine(prompt);
      }
    };
  }

  /** No terminal: every prompt is refused. */
  static Terminal none() {
    return new Terminal() {
      @Override
      public boolean isPresent() {
        return false;
      }

      @Override
      public char[] readPassword(String prompt) {
        return null;
      }
    };
  }

  /** Prompts on {@code /dev/tty} with echo turned off by {@code stty}, as ssh and gpg do. */
  final class ControllingTerminal {
    private static final File TTY = new File("/dev/tty");

    private ControllingTerminal() {}

    /** Opening /dev/tty fails (ENXIO) when the process has no controlling terminal. */
    static boolean isPresent() {
      if (File.separatorChar != '/') {
        return false;
      }
      try {
        new FileInputStream(TTY).close();
        return true;
      } catch (IOException | SecurityException noTerminal) {
        return false;
      }
    }

    static String readLine(String prompt) {
      try (FileInputStream in = new FileInputStream(TTY);
          FileOutputStream out = new FileOutputStream(TTY)) {
        out.write(prompt.getBytes(StandardCharsets.UTF_8));
        out.flush();
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
          line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        return null;
      }
    }

    static char[] readPassword(String prompt) {
      try (FileInputStream in = new FileInputStream(TTY);
          FileOutputStream out = new FileOutputStream(TTY)) {
        Thread restore = new Thread(() -> stty("echo"), "credstore-restore-echo");
        Runtime.getRuntime().addShutdownHook(restore); // Ctrl-C must not leave echo off
        // Echo goes off before the prompt appears, or a quick typist's first keys would show.
        // Never read a secret with echo on: if stty cannot turn it off, refuse to prompt.
        if (!stty("-echo")) {
          Runtime.getRuntime().removeShutdownHook(restore);
          return null;
        }
        out.write(prompt.getBytes(StandardCharsets.UTF_8));
        out.flush();
        try (Secret typed = SecretInput.readLine(in, "the passphrase")) {
          return typed.revealChars();
        } finally {
          stty("echo");
          Runtime.getRuntime().removeShutdownHook(restore);
          out.write("\n".getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException | IllegalStateException e) {
        return null;
      }
    }

    private static boolean stty(String setting) {
      try {
        Process stty = sttyCommand(setting).start();
        return stty.waitFor(5, TimeUnit.SECONDS) && stty.exitValue() == 0;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /**
     * stty from the system's own directories, with an empty environment: it needs nothing but
     * the terminal, and must not inherit CREDSTORE_PASSPHRASE or a token from ours.
     */
    static ProcessBuilder sttyCommand(String setting) {
      String program = "stty";
      for (String candidate : new String[] {"/bin/stty", "/usr/bin/stty"}) {
        if (new File(candidate).canExecute()) {
          program = candidate;
          break;
        }
      }
      ProcessBuilder builder = new ProcessBuilder(program, setting).redirectInput(TTY)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD);
      builder.environment().clear();
      builder.environment().put("PATH", "/usr/bin:/bin");
      return builder;
    }
  }
}
