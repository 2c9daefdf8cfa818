package dev.credstore.api;

import java.util.Optional;

/**
 * {@link PassphraseSource#firstOf}: remembers which source answered last, so that a wrong answer
 * is asked again only of that one (a prompt), never of the sources after it.
 */
final class FirstPassphrase implements PassphraseSource {

  private final PassphraseSource[] sources;
  private volatile PassphraseSource answered;

  FirstPassphrase(PassphraseSource[] sources) {
    this.sources = sources;
  }

  @Override
  public Optional<Secret> passphrase(Purpose purpose, String storeLocation)
      throws AuthenticationException {
    answered = null;
    for (PassphraseSource source : sources) {
      Optional<Secret> answer = source.passphrase(purpose, storeLocation);
      if (answer.isPresent()) {
        answered = source;
        return answer;
      }
    }
    return Optional.empty();
  }

  @Override
  public Optional<Secret> askAgain(String storeLocation) throws AuthenticationException {
    PassphraseSource last = answered;
    return last == null ? Optional.empty() : last.askAgain(storeLocation);
  }
}
