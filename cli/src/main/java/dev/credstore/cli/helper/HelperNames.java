package dev.credstore.cli.helper;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.spi.Names;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Store names for what git and Docker send, which has no length bound: a URL or username that fits
 * a {@link CredentialId} is used as is; a longer (or otherwise unfit) one gets a bounded name
 * ending in a hash of the whole value. The exact URL and username always go into the attributes
 * {@value #URL} and {@value #USERNAME}, which matching and {@code credstore list} read.
 */
public final class HelperNames {

  /** Attribute holding the full URL; longer URLs continue in {@code url.2}, {@code url.3}... */
  public static final String URL = "url";
  /** Attribute holding the exact username the client sent (absent: it sent none). */
  public static final String USERNAME = "username";
  /** Marker before the hash in a derived name. */
  public static final String HASH_MARK = "#";
  /** Derived accounts start with this; a username that does too is always hashed. */
  public static final String HASHED_ACCOUNT = "user" + HASH_MARK;

  private static final int HASH_CHARS = 32;
  private static final int URL_CHUNK = CredentialMetadata.MAX_ATTRIBUTE_VALUE_LENGTH;
  // Leaves room for the other attributes of a helper credential.
  private static final int MAX_URL_CHUNKS = CredentialMetadata.MAX_ATTRIBUTES - 8;

  private HelperNames() {}

  /** {@code prefix + url} when that is a valid service name, else a bounded name with a hash. */
  public static String service(String prefix, String url) {
    String whole = prefix + url;
    if (fits(whole, CredentialId.MAX_SERVICE_LENGTH)) {
      return whole;
    }
    int keep = CredentialId.MAX_SERVICE_LENGTH - prefix.length() - HASH_MARK.length()
        - HASH_CHARS;
    String head = printablePrefix(url, keep);
    return prefix + head + HASH_MARK + hash(url);
  }

  /**
   * The account for {@code username}: the name itself when it is a valid account name, else
   * {@value #HASHED_ACCOUNT} and a hash; so "no username" ({@link CredentialId#DEFAULT_ACCOUNT}),
   * an empty username and the name {@code default} never share an account.
   */
  public static String account(String username) {
    if (username == null) {
      return CredentialId.DEFAULT_ACCOUNT;
    }
    if (fits(username, CredentialId.MAX_ACCOUNT_LENGTH)
        && !username.equals(CredentialId.DEFAULT_ACCOUNT)
        && !username.startsWith(HASHED_ACCOUNT)) {
      return username;
    }
    return HASHED_ACCOUNT + hash(username);
  }

  /** {@code url} and {@code username} (null: none sent) as the attributes described above. */
  public static Map<String, String> attributes(String url, String username) {
    int chunks = (url.length() + URL_CHUNK - 1) / URL_CHUNK;
    if (chunks > MAX_URL_CHUNKS) {
      throw new IllegalArgumentException("URL is " + url.length() + " chars, more than the limit"
          + " of " + (MAX_URL_CHUNKS * URL_CHUNK));
    }
    Map<String, String> attributes = new TreeMap<>();
    for (int i = 0; i < Math.max(1, chunks); i++) {
      attributes.put(i == 0 ? URL : URL + "." + (i + 1),
          url.substring(i * URL_CHUNK, Math.min(url.length(), (i + 1) * URL_CHUNK)));
    }
    if (username != null) {
      attributes.put(USERNAME, username);
    }
    return attributes;
  }

  /**
   * {@code current} with the attributes from {@link #attributes} replaced by {@code wanted}; any
   * other attribute (set by the user, say) is kept.
   */
  public static Map<String, String> merged(Map<String, String> current, Map<String, String> wanted,
      Set<String> alsoReplaced) {
    Map<String, String> merged = new TreeMap<>(current);
    merged.keySet().removeIf(key -> key.equals(URL) || key.startsWith(URL + ".")
        || key.equals(USERNAME) || alsoReplaced.contains(key));
    merged.putAll(wanted);
    return merged;
  }

  /** The full URL recorded by {@link #attributes}, or null for an entry from before it. */
  public static String url(Map<String, String> attributes) {
    String first = attributes.get(URL);
    if (first == null) {
      return null;
    }
    StringBuilder url = new StringBuilder(first);
    for (int i = 2; attributes.containsKey(URL + "." + i); i++) {
      url.append(attributes.get(URL + "." + i));
    }
    return url.toString();
  }

  /** The username a client sent for this entry; null when it sent none. */
  public static String username(CredentialMetadata metadata) {
    if (metadata.attributes().containsKey(USERNAME)) {
      return metadata.attributes().get(USERNAME);
    }
    String account = metadata.id().account();
    // Entries from before the attribute: the account was the username, "default" meant none.
    return account.equals(CredentialId.DEFAULT_ACCOUNT) ? null : account;
  }

  private static boolean fits(String value, int maxLength) {
    try {
      Names.check("name", value, maxLength);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  // The longest prefix of at most max chars that is valid inside a name (no control characters,
  // no split surrogate pair, no trailing whitespace).
  private static String printablePrefix(String value, int max) {
    StringBuilder head = new StringBuilder();
    for (int i = 0; i < value.length() && head.length() < max; i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || Character.isSurrogate(c)) {
        c = '_';
      }
      head.append(c);
    }
    return head.toString().strip();
  }

  private static String hash(String value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
