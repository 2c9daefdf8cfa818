package dev.credstore.cli.console;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import java.util.Optional;

/**
 * The last passphrase source: a hidden prompt on the terminal, asked twice for a new passphrase.
 * Without a terminal it has no answer, so the store fails with its message naming {@code
 * CREDSTORE_PASSPHRASE} and {@code --passphrase-file} instead of hanging.
 */
public final class ConsolePassphraseSource implements PassphraseSource {

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
    String first = switch (purpose) {
      case UNLOCK -> "Passphrase for " + storeLocation + ": ";
      case CREATE -> "New passphrase for " + storeLocation + ": ";
      case CHANGE -> "New passphrase: ";
    };
    Secret passphrase = SecretInput.prompt(terminal, first);
    if (passphrase == null || passphrase.length() == 0) {
      close(passphrase);
      throw new AuthenticationException("no passphrase entered");
    }
    if (purpose == Purpose.UNLOCK) {
      return Optional.of(passphrase);
    }
    try (Secret again = SecretInput.prompt(terminal, "Repeat the new passphrase: ")) {
      if (again == null || !passphrase.sameAs(again)) {
        passphrase.close();
        throw new AuthenticationException("the passphrases did not match; nothing was changed");
      }
    }
    return Optional.of(passphrase);
  }

  private static void close(Secret secret) {
    if (secret != null) {
      secret.close();
    }
  }
}
