package dev.credstore.cli.helper;

import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import dev.credstore.cli.output.ExitCodes.UsageException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * One request of git's credential-helper protocol: {@code key=value} lines. Only {@code protocol},
 * {@code host}, {@code path}, {@code username}, {@code password} and {@code url} matter here; other
 * keys ({@code capability[]}, {@code wwwauth[]}, {@code password_expiry_utc}...) are ignored. The
 * password is decoded from its bytes straight into a {@link Secret}. Closing zeroes it.
 */
public final class GitCredentialRequest implements AutoCloseable {

  /** Prefix of the service names under which git credentials are stored. */
  static final String SERVICE_PREFIX = "git:";

  String protocol;
  String host;
  String path;
  public String username;
  public Secret password;

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
        if (key.equals("password")) {
          byte[] value = Arrays.copyOfRange(input, equals + 1, lineEnd);
          try {
            if (request.password != null) {
              request.password.close();
            }
            request.password = Secret.fromUtf8(value);
          } catch (IllegalArgumentException e) {
            request.close();
            throw new UsageException("git sent a password that is not valid UTF-8", e);
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

  private void fromUrl(String url) {
    try {
      URI uri = new URI(url);
      protocol = uri.getScheme();
      host = uri.getRawAuthority() == null ? null
          : uri.getRawAuthority().replaceFirst("^[^@]*@", "");
      String rawPath = uri.getRawPath();
      if (path == null && rawPath != null && rawPath.length() > 1) {
        path = rawPath.substring(1);
      }
      if (username == null && uri.getUserInfo() != null) {
        username = uri.getUserInfo().replaceFirst(":.*", "");
      }
    } catch (URISyntaxException e) {
      // Not a URL git itself would send; without protocol and host it matches nothing.
    }
  }

  /**
   * {@code git:<protocol>://<host>[/<path>]}: empty when git sent no protocol.
   *
   * @throws IllegalArgumentException if that name is too long to be a service (exit 2)
   */
  public Optional<String> service() {
    if (protocol == null || protocol.isEmpty()) {
      return Optional.empty();
    }
    String service = SERVICE_PREFIX + protocol + "://" + (host == null ? "" : host)
        + (path == null || path.isEmpty() ? "" : "/" + path);
    CredentialId.of(service); // checks length and characters, naming the problem
    return Optional.of(service);
  }

  /** The username, or {@link CredentialId#DEFAULT_ACCOUNT} when git sent none. */
  public String account() {
    return username == null || username.isEmpty() ? CredentialId.DEFAULT_ACCOUNT : username;
  }

  public boolean hasUsername() {
    return username != null && !username.isEmpty();
  }

  @Override
  public void close() {
    if (password != null) {
      password.close();
    }
  }

  @Override
  public String toString() {
    return "GitCredentialRequest[" + protocol + "://" + host + "/" + path + ", user " + username
        + ", password redacted]";
  }
}
