package dev.credstore.cli.output;

import dev.credstore.api.CredentialId;

/** How messages name credentials and the commands that fix things. */
public final class Describe {

  private Describe() {}

  /** "k6 (account default)". */
  public static String id(CredentialId id) {
    return id.service() + " (account " + id.account() + ")";
  }

  /** "credstore logout k6", with "--account NAME" unless it is the default account. */
  public static String command(String command, CredentialId id) {
    return "credstore " + command + " " + id.service()
        + (CredentialId.DEFAULT_ACCOUNT.equals(id.account()) ? "" : " --account " + id.account());
  }
}
