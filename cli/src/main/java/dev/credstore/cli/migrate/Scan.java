package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link PlaintextSource} found in one file: the secrets to move, the file's bytes as they
 * must be once those are gone (already re-parsed and proven to differ only there), or that the file
 * as a whole is the secret and goes, and the secrets it only reports. Owns the found secrets.
 */
public final class Scan implements AutoCloseable {

  private final List<FoundSecret> secrets;
  private final byte[] rewritten;
  private final boolean deleteFile;
  private final List<Reported> reported;
  private final String nothingReason;

  private Scan(List<FoundSecret> secrets, byte[] rewritten, boolean deleteFile,
      List<Reported> reported, String nothingReason) {
    this.secrets = List.copyOf(secrets);
    this.rewritten = rewritten;
    this.deleteFile = deleteFile;
    this.reported = List.copyOf(reported);
    this.nothingReason = nothingReason;
  }

  /** Nothing to move; {@code reason} says why, e.g. "no token at /collectors/cloud/token". */
  public static Scan nothing(String reason, List<Reported> reported) {
    return new Scan(List.of(), null, false, reported, Objects.requireNonNull(reason));
  }

  /** Secrets to move, and the file's bytes without them. Takes ownership of the secrets. */
  public static Scan rewrite(List<FoundSecret> secrets, byte[] rewritten, List<Reported> reported) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("a rewrite needs at least one secret");
    }
    return new Scan(secrets, Objects.requireNonNull(rewritten), false, reported, null);
  }

  /** The whole file is the secret (e.g. Platform.sh's api-token): it is removed once stored. */
  public static Scan deleteFile(FoundSecret secret) {
    return new Scan(List.of(secret), null, true, List.of(), null);
  }

  public List<FoundSecret> secrets() {
    return secrets;
  }

  /** The new content; null when there is nothing to move or the file is deleted. */
  public byte[] rewritten() {
    return rewritten;
  }

  public boolean deletesFile() {
    return deleteFile;
  }

  public List<Reported> reported() {
    return reported;
  }

  /** Why nothing is moved; null when something is. */
  public String nothingReason() {
    return nothingReason;
  }

  /**
   * For a source's scan: a name the credential model refuses (an account with a tab, a service
   * too long) becomes the file's problem, not a usage error; anything else unexpected is rethrown.
   */
  static ConfigurationException problem(Exception e) {
    if (e instanceof ConfigurationException c) {
      return c;
    }
    if (e instanceof IllegalArgumentException) {
      return new ConfigurationException("names a credential credstore cannot hold ("
          + e.getMessage() + "); the file is left as it is", e);
    }
    throw (RuntimeException) e;
  }

  /** Zeroes every secret. */
  @Override
  public void close() {
    List<RuntimeException> failures = new ArrayList<>();
    for (FoundSecret secret : secrets) {
      try {
        secret.close();
      } catch (RuntimeException e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      throw failures.get(0);
    }
  }
}
