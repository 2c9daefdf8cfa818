package dev.credstore.cli.helper;

import dev.credstore.api.Secret;
import dev.credstore.cli.console.SecretInput;
import dev.credstore.cli.output.ExitCodes.UsageException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * One request of git's credential-helper protocol: {@code key=value} lines. Understood: {@code
 * protocol}, {@code host}, {@code path}, {@code username}, {@code password}, {@code url}, {@code
 * password_expiry_utc}, {@code oauth_refresh_token} and {@code ephemeral}; other keys ({@code
 * capability[]}, {@code wwwauth[]}, {@code state[]}...) are accepted and ignored, so never echoed.
 * The password and the refresh token are decoded from their bytes straight into {@link Secret}s.
 * A username that git did not send is null; one it sent empty is "". Closing zeroes the secrets.
 */
public final class GitCredentialRequest implements AutoCloseable {

  /** Prefix of the service names under which git credentials are stored. */
  public static final String SERVICE_PREFIX = "git:";

  public String protocol;
  public String host;
  public String path;
  public String username;
  public Secret password;
  public Secret refreshToken;
  public String passwordExpiry;
  public boolean ephemeral;

  private GitCredentialRequest() {}

  /** Parses {@code input}, which the caller still owns and zeroes. */
  public static GitCredentialRequest parse(byte[] input) {
    GitCredentialRequest request = new GitCredentialRequest();
    String url = null;
    int start = 0;
    while (start < input.length) {
      int end = start;
      while (end < input.length && input[end] != '\n') {
        end++;
      }
      int lineEnd = end > start && input[end - 1] == '\r' ? end - 1 : end;
      int equals = start;
      while (equals < lineEnd && input[equals] != '=') {
        equals++;
      }
      if (equals < lineEnd) {
        String key = new String(input, start, equals - start, StandardCharsets.UTF_8);
        if (key.equals("password") || key.equals("oauth_refresh_token")) {
          byte[] value = Arrays.copyOfRange(input, equals + 1, lineEnd);
          try {
            Secret secret = Secret.fromUtf8(value);
            try {
              SecretInput.checkCharacters(secret, "git's " + key, false);
            } catch (UsageException refused) {
              secret.close();
              request.close();
              throw refused;
            }
            if (key.equals("password")) {
              close(request.password);
              request.password = secret;
            } else {
              close(request.refreshToken);
              request.refreshToken = secret;
            }
          } catch (IllegalArgumentException e) {
            request.close();
            throw new UsageException("git sent a " + key + " that is not valid UTF-8", e);
          } finally {
            Arrays.fill(value, (byte) 0);
          }
        } else {
          String value = new String(input, equals + 1, lineEnd - equals - 1,
              StandardCharsets.UTF_8);
          switch (key) {
            case "protocol" -> request.protocol = value;
            case "host" -> request.host = value;
            case "path" -> request.path = value;
            case "username" -> request.username = value;
            case "url" -> url = value;
            case "password_expiry_utc" -> request.passwordExpiry = value;
            case "ephemeral" -> request.ephemeral = value.equals("1") || value.equals("true");
            default -> { } // the protocol says: ignore what you do not understand
          }
        }
      }
      start = end + 1;
    }
    if (url != null && request.protocol == null) {
      request.fromUrl(url);
    }
    return request;
  }

  // scheme://[user[:password]@]host[/path]; the credentials end at the authority's LAST '@', so
  // an unencoded '@' in a password never leaves part of it in the host.
  private void fromUrl(String url) {
    int schemeEnd = url.indexOf("://");
    if (schemeEnd <= 0) {
      return; // not a URL git itself would send; without a protocol it matches nothing
    }
    protocol = url.substring(0, schemeEnd);
    String rest = url.substring(schemeEnd + 3);
    int authorityEnd = indexOfAny(rest, "/?#");
    String authority = rest.substring(0, authorityEnd);
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      int colon = userInfo.indexOf(':');
      if (username == null) {
        username = percentDecoded(colon < 0 ? userInfo : userInfo.substring(0, colon));
      }
      authority = authority.substring(at + 1);
    }
    host = percentDecoded(authority);
    if (path == null && authorityEnd < rest.length() && rest.charAt(authorityEnd) == '/') {
      String tail = rest.substring(authorityEnd + 1);
      path = percentDecoded(tail.substring(0, indexOfAny(tail, "?#")));
    }
  }

  private static int indexOfAny(String text, String chars) {
    for (int i = 0; i < text.length(); i++) {
      if (chars.indexOf(text.charAt(i)) >= 0) {
        return i;
      }
    }
    return text.length();
  }

  // %XX escapes as UTF-8 bytes, as git decodes URL parts; '+' stays '+'.
  private static String percentDecoded(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int high = i + 2 < text.length() ? Character.digit(text.charAt(i + 1), 16) : -1;
      int low = i + 2 < text.length() ? Character.digit(text.charAt(i + 2), 16) : -1;
      if (c == '%' && high >= 0 && low >= 0) {
        bytes.write(high * 16 + low);
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(utf8, 0, utf8.length);
      }
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  /** {@code <protocol>://<host>[/<path>]}: empty when git sent no protocol. */
  public Optional<String> url() {
    if (protocol == null || protocol.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(protocol + "://" + (host == null ? "" : host)
        + (path == null || path.isEmpty() ? "" : "/" + path));
  }

  /**
   * The service name for {@link #url()}: {@code git:<url>}, or a bounded name derived from it when
   * the URL is too long for a service name.
   */
  public Optional<String> service() {
    return url().map(url -> HelperNames.service(SERVICE_PREFIX, url));
  }

  /** Whether this stored entry (protocol, host, path and username) matches every field given. */
  public boolean matches(String storedUrl, String storedUsername) {
    int schemeEnd = storedUrl.indexOf("://");
    if (schemeEnd < 0) {
      return false;
    }
    String rest = storedUrl.substring(schemeEnd + 3);
    int slash = rest.indexOf('/');
    String storedHost = slash < 0 ? rest : rest.substring(0, slash);
    String storedPath = slash < 0 ? "" : rest.substring(slash + 1);
    return given(protocol, storedUrl.substring(0, schemeEnd))
        && given(host, storedHost)
        && given(path == null || path.isEmpty() ? null : path, storedPath)
        && (username == null || username.equals(storedUsername));
  }

  // A field git left out matches anything, as in git's own credential_match.
  private static boolean given(String wanted, String stored) {
    return wanted == null || wanted.equals(stored);
  }

  /** Whether git named anything to match on; an empty erase must not erase everything. */
  public boolean namesAnything() {
    return protocol != null || host != null || path != null && !path.isEmpty()
        || username != null;
  }

  private static void close(Secret secret) {
    if (secret != null) {
      secret.close();
    }
  }

  @Override
  public void close() {
    close(password);
    close(refreshToken);
  }

  @Override
  public String toString() {
    return "GitCredentialRequest[" + protocol + "://" + host + "/" + path + ", user " + username
        + ", secrets redacted]";
  }
}
