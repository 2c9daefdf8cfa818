package dev.credstore.api;

import dev.credstore.spi.PrivateFiles;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * Supplies the passphrase of a passphrase-protected store, only when the store needs it.
 *
 * <p>A source never blocks without a way to answer: a prompt is used only when a console is present
 * (the CLI's concern), and a source that cannot answer returns empty so that the next one is tried.
 * The returned secret belongs to the caller, who closes it.
 */
@FunctionalInterface
public interface PassphraseSource {

  /** Environment variable that may hold the passphrase. */
  String ENV_VARIABLE = "CREDSTORE_PASSPHRASE";

  /** The largest passphrase file read; a passphrase is one line. */
  int MAX_PASSPHRASE_FILE_BYTES = 64 * 1024;

  /**
   * The passphrase for {@code purpose}, or empty if this source has none to offer.
   *
   * @param purpose why it is needed; a {@link Purpose#CREATE} answer is the new store's passphrase,
   *     so interactive sources should ask twice
   * @param storeLocation where the store lives, for a prompt
   * @throws AuthenticationException if the source exists but fails (unreadable file, mismatched
   *     confirmation, cancelled prompt)
   */
  Optional<Secret> passphrase(Purpose purpose, String storeLocation) throws AuthenticationException;

  /** How many answers a store takes for one unlock, counting the first, as sudo and ssh do. */
  int UNLOCK_TRIES = 3;

  /**
   * Another answer after this source's last {@link Purpose#UNLOCK} answer turned out wrong, or empty
   * to give up. Only an interactive source (a prompt) answers, saying first that the passphrase was
   * wrong; one that reads a variable or a file would give the same wrong answer again, so the
   * default is empty. A store asks at most {@value #UNLOCK_TRIES} times in all for one unlock.
   *
   * @throws AuthenticationException as for {@link #passphrase}
   */
  default Optional<Secret> askAgain(String storeLocation) throws AuthenticationException {
    return Optional.empty();
  }

  /** Why a passphrase is being asked for. */
  enum Purpose {
    /** To open an existing store. */
    UNLOCK,
    /** To create a new store. */
    CREATE,
    /** The new passphrase of a passphrase change. */
    CHANGE
  }

  /** A source with no passphrase: opening a protected store fails with a clear message. */
  static PassphraseSource none() {
    return (purpose, location) -> Optional.empty();
  }

  /**
   * Reads {@value #ENV_VARIABLE} from {@code environment}. An empty value counts as absent.
   */
  static PassphraseSource fromEnvironment(Map<String, String> environment) {
    return (purpose, location) -> {
      String value = environment.get(ENV_VARIABLE);
      return value == null || value.isEmpty() ? Optional.empty() : Optional.of(Secret.of(value));
    };
  }

  /**
   * Reads the first line of {@code file} (without its line ending). The file must be private and
   * ours as {@link dev.credstore.spi.PrivateFiles#check} judges it (like an ssh key, but its
   * directory too), at most {@value #MAX_PASSPHRASE_FILE_BYTES} bytes, and is never read through a
   * link.
   */
  static PassphraseSource fromFile(Path file) {
    return (purpose, location) -> Optional.of(readPassphraseFile(file));
  }

  /**
   * Asks each source in turn and returns the first answer; {@link #askAgain} goes to the source
   * that gave it.
   */
  static PassphraseSource firstOf(PassphraseSource... sources) {
    return new FirstPassphrase(sources.clone());
  }

  private static Secret readPassphraseFile(Path file) throws AuthenticationException {
    byte[] bytes;
    try {
      // Opened once without following links; the open file itself is judged, then read.
      bytes = PrivateFiles.readPrivate(file, MAX_PASSPHRASE_FILE_BYTES);
    } catch (StorageException e) {
      throw new AuthenticationException("passphrase file: " + e.getMessage(), e);
    }
    try {
      int end = 0;
      while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
        end++;
      }
      byte[] line = Arrays.copyOf(bytes, end);
      try {
        Secret secret = Secret.fromUtf8(line);
        if (secret.length() == 0) {
          secret.close();
          throw new AuthenticationException("passphrase file " + file + " is empty");
        }
        return secret;
      } catch (IllegalArgumentException e) {
        throw new AuthenticationException("passphrase file " + file + " is not valid UTF-8", e);
      } finally {
        Arrays.fill(line, (byte) 0);
      }
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
