package dev.credstore.pass;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * The real {@code gpg}, run the way {@code pass} runs it, plus what makes it safe without a
 * terminal: {@code --batch --no-tty --pinentry-mode error}, so a key whose passphrase the agent does
 * not hold fails at once instead of waiting on a pinentry nobody sees. Outcomes are read from
 * {@code --status-fd} lines, which do not depend on the locale.
 */
final class Gpg {

  // gpg-error codes (the low 16 bits of an ERROR status value) that mean "no passphrase".
  private static final int NO_PIN_ENTRY = 85;
  private static final int CANCELED = 99;
  private static final int BAD_PASSPHRASE = 11;
  private static final int NO_AGENT = 269;

  private final Path program;
  private final Map<String, String> environment;
  private final List<String> userOptions;
  private final Duration timeout;

  Gpg(Path program, Map<String, String> environment, Duration timeout) {
    this.program = program;
    this.environment = environment;
    this.timeout = timeout;
    // What pass does with PASSWORD_STORE_GPG_OPTS: split on whitespace, put first.
    String extra = environment.getOrDefault("PASSWORD_STORE_GPG_OPTS", "").strip();
    this.userOptions = extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"));
  }

  /** How long one gpg run may take before it is stopped. */
  Duration timeout() {
    return timeout;
  }

  /**
   * Decrypts {@code file}; the caller owns (and closes) the output, whose stdout is the plaintext.
   *
   * @throws AuthenticationException if no key of ours can decrypt it now (not held, or locked)
   * @throws IntegrityException if it is not a readable OpenPGP message
   */
  Commands.Output decrypt(Path file, String entry) throws CredentialStoreException {
    Commands.Output output = run(List.of("--decrypt", "--", file.toString()), null);
    Status status = new Status(output.stderr);
    if (output.exitCode == 0 && status.has("DECRYPTION_OKAY")) {
      return output;
    }
    output.close();
    int error = status.errorCode("pkdecrypt_failed");
    if (error == NO_PIN_ENTRY || error == CANCELED || error == BAD_PASSPHRASE) {
      throw new AuthenticationException("the GPG key for pass entry " + entry + " needs its"
          + " passphrase, which gpg-agent does not hold, and credstore never opens a pinentry;"
          + " unlock it once in a terminal (e.g. pass show " + entry + " >/dev/null) or preset it"
          + " with gpg-connect-agent, then retry");
    }
    if (error == NO_AGENT) {
      throw new BackendUnavailableException("gpg cannot reach gpg-agent (" + output.lastErrorLine()
          + "); check GNUPGHOME (agent sockets break on paths over ~100 chars)");
    }
    if (!status.values("NO_SECKEY").isEmpty() && status.has("DECRYPTION_FAILED")) {
      throw new AuthenticationException("pass entry " + entry + " is encrypted to GPG keys"
          + " you do not hold (" + String.join(", ", status.firstWords("ENC_TO")) + "); ask someone"
          + " who can read it to add your key to the store's .gpg-id and run pass init again");
    }
    if (status.has("DECRYPTION_FAILED") || status.has("NODATA")) {
      throw new IntegrityException("pass entry " + entry + " could not be decrypted: "
          + output.lastErrorLine());
    }
    throw new StorageException("gpg failed on pass entry " + entry + ": " + output.lastErrorLine());
  }

  /**
   * Encrypts {@code plaintext} to {@code recipients}; returns the ciphertext.
   *
   * @throws BackendUnavailableException if gpg cannot encrypt to a recipient (missing, untrusted)
   */
  byte[] encrypt(List<String> recipients, byte[] plaintext, String entry)
      throws CredentialStoreException {
    List<String> args = new ArrayList<>(List.of("--encrypt"));
    for (String recipient : recipients) {
      args.add("--recipient");
      args.add(recipient);
    }
    args.addAll(List.of("--output", "-"));
    try (Commands.Output output = run(args, plaintext)) {
      Status status = new Status(output.stderr);
      if (output.exitCode == 0 && status.has("END_ENCRYPTION")) {
        return output.stdout();
      }
      List<String> invalid = status.values("INV_RECP");
      if (!invalid.isEmpty()) {
        throw new BackendUnavailableException("gpg cannot encrypt pass entry " + entry
            + " to every recipient in .gpg-id (" + String.join("; ", describeInvalid(invalid))
            + "); import the missing public keys (gpg --import) and trust them, or set"
            + " PASSWORD_STORE_GPG_OPTS as you do for pass");
      }
      throw new StorageException("gpg could not encrypt pass entry " + entry + ": "
          + output.lastErrorLine());
    }
  }

  private static List<String> describeInvalid(List<String> lines) {
    List<String> described = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(" ", 2);
      String who = parts.length > 1 ? parts[1] : "?";
      String why = switch (parts[0]) {
        case "1" -> "not found";
        case "10" -> "not trusted";
        case "4" -> "revoked";
        case "5" -> "expired";
        default -> "unusable (reason " + parts[0] + ")";
      };
      described.add(who + ": " + why);
    }
    return described;
  }

  private Commands.Output run(List<String> args, byte[] stdin) throws CredentialStoreException {
    List<String> command = new ArrayList<>();
    command.add(program.toString());
    command.addAll(userOptions);
    // pass's options, less --quiet: it also silences the NO_SECKEY status that tells "not your
    // key" apart from other failures.
    command.addAll(List.of("--yes", "--compress-algo=none", "--no-encrypt-to",
        "--batch", "--no-tty", "--pinentry-mode", "error", "--status-fd", "2"));
    command.addAll(args);
    try {
      return Commands.run(command, environment, null, stdin, timeout);
    } catch (TimeoutException e) {
      throw new StorageException("gpg did not finish within " + timeout.toSeconds() + " s and was"
          + " stopped; is gpg-agent stuck? (gpgconf --kill gpg-agent restarts it)", e);
    } catch (IOException e) {
      throw new BackendUnavailableException("cannot run gpg: " + e.getMessage()
          + "; install GnuPG (Debian: apt install gnupg)", e);
    }
  }

  /** The {@code [GNUPG:] KEYWORD args} lines of one run. */
  private static final class Status {
    private final List<String[]> lines = new ArrayList<>();

    Status(String stderr) {
      for (String line : stderr.split("\n")) {
        if (line.startsWith("[GNUPG:] ")) {
          lines.add(line.substring(9).strip().split(" ", 2));
        }
      }
    }

    boolean has(String keyword) {
      return lines.stream().anyMatch(l -> l[0].equals(keyword));
    }

    /** The arguments of every {@code keyword} line, without repeats. */
    List<String> values(String keyword) {
      Set<String> values = new LinkedHashSet<>();
      for (String[] line : lines) {
        if (line[0].equals(keyword)) {
          values.add(line.length > 1 ? line[1] : "");
        }
      }
      return new ArrayList<>(values);
    }

    /** The first argument of every {@code keyword} line (e.g. ENC_TO's key id). */
    List<String> firstWords(String keyword) {
      return values(keyword).stream().map(v -> v.split(" ")[0]).distinct().toList();
    }

    /** The gpg-error code of {@code ERROR <location> <code>}, or -1. */
    int errorCode(String location) {
      for (String[] line : lines) {
        if (line[0].equals("ERROR") && line.length > 1 && line[1].startsWith(location + " ")) {
          try {
            return Integer.parseInt(line[1].substring(location.length() + 1).strip()) & 0xFFFF;
          } catch (NumberFormatException e) {
            return -1;
          }
        }
      }
      return -1;
    }
  }
}
