package dev.credstore.cli;

import java.io.Console;

/** The interactive terminal, if there is one; a seam so that tests can answer prompts. */
interface Terminal {

  /** Whether prompting is possible (a console is attached). */
  boolean isPresent();

  /**
   * Prompts with echo off. Returns the characters typed, which the caller must zero, or null at end
   * of input.
   */
  char[] readPassword(String prompt);

  /** The process console, looked up at each call. */
  static Terminal system() {
    return new Terminal() {
      @Override
      public boolean isPresent() {
        return System.console() != null;
      }

      @Override
      public char[] readPassword(String prompt) {
        Console console = System.console();
        return console == null ? null : console.readPassword("%s", prompt);
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
}
