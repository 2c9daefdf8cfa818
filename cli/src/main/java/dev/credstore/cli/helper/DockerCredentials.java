package dev.credstore.cli.helper;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.credstore.api.Secret;
import dev.credstore.cli.console.SecretInput;
import dev.credstore.spi.Json;
import java.io.IOException;
import java.util.Arrays;

/**
 * The JSON that Docker pipes to {@code store}: {@code {"ServerURL":…,"Username":…,"Secret":…}}.
 * Read with Jackson's streaming parser so that the secret goes from the parser's character buffer
 * (which is then zeroed) into a {@link Secret}, never through a String. Field names match
 * case-insensitively, as Go's decoder does. Closing zeroes the secret.
 */
public final class DockerCredentials implements AutoCloseable {

  // The secret-safe factory: no recycled buffers, no source excerpts in errors.
  private static final JsonFactory JSON = Json.factory();

  public String serverUrl;
  public String username;
  public Secret secret;

  private DockerCredentials() {}

  /**
   * Parses {@code input}, which the caller still owns and zeroes.
   *
   * @throws IOException if it is not one JSON object of strings
   */
  public static DockerCredentials parse(byte[] input) throws IOException {
    DockerCredentials credentials = new DockerCredentials();
    try (JsonParser parser = JSON.createParser(input)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("expected a JSON object with ServerURL, Username and Secret");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          parser.skipChildren();
          continue;
        }
        if (value == JsonToken.VALUE_NULL) {
          continue;
        }
        if (field.equalsIgnoreCase("Secret")) {
          if (value != JsonToken.VALUE_STRING) {
            throw new IOException("Secret must be a string");
          }
          char[] chars = parser.getTextCharacters();
          int offset = parser.getTextOffset();
          int length = parser.getTextLength();
          char[] copy = Arrays.copyOfRange(chars, offset, offset + length);
          // The token is consumed; clear the parser's copy too (its buffers are recycled).
          Arrays.fill(chars, offset, offset + length, '\0');
          try {
            if (credentials.secret != null) {
              credentials.secret.close();
            }
            credentials.secret = Secret.of(copy);
            SecretInput.checkCharacters(credentials.secret, "Docker's Secret", true);
          } finally {
            Arrays.fill(copy, '\0');
          }
        } else if (field.equalsIgnoreCase("ServerURL")) {
          credentials.serverUrl = parser.getValueAsString();
        } else if (field.equalsIgnoreCase("Username")) {
          credentials.username = parser.getValueAsString();
        }
      }
    } catch (JsonProcessingException e) {
      credentials.close();
      // Jackson's message quotes the offending text, which may be the secret: position only, and
      // no cause that --verbose would print.
      throw new IOException("input is not valid JSON (line " + e.getLocation().getLineNr()
          + ", column " + e.getLocation().getColumnNr() + ")");
    } catch (IOException | RuntimeException e) {
      credentials.close();
      throw e;
    }
    return credentials;
  }

  @Override
  public void close() {
    if (secret != null) {
      secret.close();
    }
  }

  @Override
  public String toString() {
    return "DockerCredentials[" + serverUrl + ", " + username + ", secret redacted]";
  }
}
