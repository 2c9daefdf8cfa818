package dev.credstore.cli.console;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import java.util.Optional;

/**
 * The last passphrase source: a hidden prompt on the terminal, asked twice for a new passphrase,
 * and asked again (up to {@value PassphraseSource#UNLOCK_TRIES} tries in all) after a wrong one.
 * Without a terminal it has no answer, so the store fails with its message naming {@code
 * CREDSTORE_PASSPHRASE} and {@code --passphrase-file} instead of hanging.
 */
public final class ConsolePassphraseSource implements PassphraseSource {

  /** The file store's rule for a new passphrase (FileCredentialStore.MIN_PASSPHRASE_LENGTH). */
  static final int MIN_LENGTH = 8;
  /** Tries at a new passphrase before giving up, as passwd(1) gives three. */
  static final int ROUNDS = 3;

  private final Terminal terminal;

  public ConsolePassphraseSource(Terminal terminal) {
    this.terminal = terminal;
  }

  @Override
  public Optional<Secret> passphrase(Purpose purpose, String storeLocation)
      throws AuthenticationException {
    if (!terminal.isPresent()) {
      return Optional.empty();
    }
    if (purpose == Purpose.UNLOCK) {
      return Optional.of(unlockPrompt("", storeLocation));
    }
    // A new passphrase: the rule is in the prompt and checked at once, and a too short one or a
    // mistyped repetition is asked again, so that nothing typed before (a token) is lost.
    String ask = (purpose == Purpose.CREATE ? "New passphrase for " + storeLocation
        : "New passphrase") + " (at least " + MIN_LENGTH + " characters): ";
    String problem = "";
    for (int round = 0; round < ROUNDS; round++) {
      Secret passphrase = SecretInput.prompt(terminal, problem + ask);
      if (passphrase == null || passphrase.length() == 0) {
        close(passphrase);
        throw new AuthenticationException(problem.isEmpty()
            ? "no passphrase entered; nothing was changed" : failure(problem));
      }
      if (passphrase.isBlank() || passphrase.length() < MIN_LENGTH) {
        passphrase.close();
        problem = "Too short. ";
        continue;
      }
      try (Secret again = SecretInput.prompt(terminal, "Repeat the new passphrase: ")) {
        if (again == null) {
          passphrase.close();
          throw new AuthenticationException("no passphrase entered; nothing was changed");
        }
        if (passphrase.sameAs(again)) {
          return Optional.of(passphrase);
        }
      }
      passphrase.close();
      problem = "The passphrases did not match. ";
    }
    throw new AuthenticationException(failure(problem));
  }

  /** A wrong passphrase was typed: say so and ask again, as sudo does. */
  @Override
  public Optional<Secret> askAgain(String storeLocation) throws AuthenticationException {
    if (!terminal.isPresent()) {
      return Optional.empty();
    }
    return Optional.of(unlockPrompt("Sorry, try again.\n", storeLocation));
  }

  private Secret unlockPrompt(String before, String storeLocation)
      throws AuthenticationException {
    Secret passphrase = SecretInput.prompt(terminal,
        before + "Passphrase for " + storeLocation + ": ");
    if (passphrase == null || passphrase.length() == 0) {
      close(passphrase);
      throw new AuthenticationException("no passphrase entered");
    }
    return passphrase;
  }

  private static String failure(String problem) {
    return problem.startsWith("Too")
        ? "the passphrase must be at least " + MIN_LENGTH + " characters; nothing was changed"
        : "the passphrases did not match; nothing was changed";
  }

  private static void close(Secret secret) {
    if (secret != null) {
      secret.close();
    }
  }
}
