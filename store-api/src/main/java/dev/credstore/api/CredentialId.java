package dev.credstore.api;

import dev.credstore.spi.Names;

/**
 * Names a credential: the service it is for (e.g. {@code k6}) and the account within that service.
 *
 * <p>Both parts are non-blank, have no leading or trailing whitespace and no control characters,
 * and are bounded in length, so they are safe as keychain attributes, file keys and log text.
 */
public record CredentialId(String service, String account) implements Comparable<CredentialId> {

  /** The account used when none is named. */
  public static final String DEFAULT_ACCOUNT = "default";
  /** Longest accepted service name, in chars. */
  public static final int MAX_SERVICE_LENGTH = 128;
  /** Longest accepted account name, in chars. */
  public static final int MAX_ACCOUNT_LENGTH = 256;

  /** @throws IllegalArgumentException naming the bad part when either part is invalid */
  public CredentialId {
    Names.check("service", service, MAX_SERVICE_LENGTH);
    Names.check("account", account, MAX_ACCOUNT_LENGTH);
  }

  /** The id of {@code service}'s {@value #DEFAULT_ACCOUNT} account. */
  public static CredentialId of(String service) {
    return new CredentialId(service, DEFAULT_ACCOUNT);
  }

  /** The id of {@code account} at {@code service}; a null account means the default one. */
  public static CredentialId of(String service, String account) {
    return new CredentialId(service, account == null ? DEFAULT_ACCOUNT : account);
  }

  @Override
  public int compareTo(CredentialId other) {
    int byService = service.compareTo(other.service);
    return byService != 0 ? byService : account.compareTo(other.account);
  }

  @Override
  public String toString() {
    return service + "/" + account;
  }
}
