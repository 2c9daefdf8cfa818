package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.helper.DockerCredentials;
import dev.credstore.cli.helper.HelperInput;
import dev.credstore.cli.helper.HelperNames;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Version;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.spi.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

@Command(name = "docker-credential",
    description = {
        "A Docker credential helper (the docker-credential-helpers protocol): ACTION is store, "
            + "get, erase, list or version (also --version, -v; --help, -h prints the usage). Run "
            + "through the bin/docker-credential-credstore launcher, so that \"credsStore\": "
            + "\"credstore\" in ~/.docker/config.json finds it.",
        "Credentials live under service docker:<ServerURL> (a URL too long for a service name is "
            + "shortened and ends in a hash), with the username as account and attributes url and "
            + "username holding exactly what Docker sent; one per server. As the protocol "
            + "requires, every error is a message on standard output and exit code 1 (not "
            + "credstore's codes); a missing entry is \"credentials not found in native "
            + "keychain\". Erasing a missing entry succeeds."})
final class DockerCredentialCommand extends BaseCommand {

  static final String SERVICE_PREFIX = "docker:";
  static final String NAME = "docker-credential-credstore";
  static final String NOT_FOUND = "credentials not found in native keychain";
  static final String USAGE = "Usage: " + NAME + " <store|get|erase|list|version>";
  static final int PROTOCOL_ERROR = 1;

  // The secret-safe factory: no recycled buffers, no source excerpts in errors.
  private static final JsonFactory JSON = Json.factory();

  // Everything after the command name, as Docker's helpers see os.Args: "--version" and "-v" are
  // actions there, not options.
  @Unmatched List<String> arguments = new ArrayList<>();

  /** A protocol error: its message goes to standard output as is. */
  private static final class ProtocolException extends Exception {
    ProtocolException(String message) {
      super(message);
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = out();
    try {
      if (arguments.size() != 1) {
        throw new ProtocolException(USAGE);
      }
      String action = arguments.get(0);
      switch (action) {
        case "store" -> store();
        case "get" -> get(out);
        case "erase" -> erase();
        case "list" -> list(out);
        case "version", "--version", "-v" -> out.println(NAME + " (dev.credstore) "
            + new Version().getVersion()[0].replaceFirst("^credstore ", ""));
        case "--help", "-h" -> out.println(USAGE);
        default -> throw new ProtocolException(NAME + ": unknown action: " + action);
      }
      out.flush();
      return ExitCodes.OK;
    } catch (ProtocolException | CredentialStoreException | IOException | RuntimeException e) {
      out.println(e.getMessage() == null ? e.getClass().getName() : e.getMessage()
          .replaceAll("\\s*[\\r\\n]+\\s*", " "));
      out.flush();
      if (global().verbose()) {
        e.printStackTrace(err());
      }
      return PROTOCOL_ERROR;
    }
  }

  private Opened open() throws CredentialStoreException {
    return StoreSession.openForHelper(context(), global(), "Docker",
        err());
  }

  private String serverUrl() throws ProtocolException {
    byte[] input = HelperInput.read(context().stdin(), false);
    String url = new String(input, StandardCharsets.UTF_8).strip();
    if (url.isEmpty()) {
      throw new ProtocolException("no credentials server URL");
    }
    return url;
  }

  private void store() throws ProtocolException, CredentialStoreException, IOException {
    byte[] input = HelperInput.read(context().stdin(), false);
    try (DockerCredentials request = DockerCredentials.parse(input)) {
      Arrays.fill(input, (byte) 0);
      if (request.serverUrl == null || request.serverUrl.isEmpty()) {
        throw new ProtocolException("no credentials server URL");
      }
      if (request.username == null || request.username.isEmpty()) {
        throw new ProtocolException("no credentials username");
      }
      if (request.secret == null || request.secret.isBlank()) {
        throw new ProtocolException("no credentials secret");
      }
      CredentialId id = new CredentialId(HelperNames.service(SERVICE_PREFIX, request.serverUrl),
          HelperNames.account(request.username));
      Map<String, String> wanted = HelperNames.attributes(request.serverUrl, request.username);
      try (Opened opened = open()) {
        CredentialStore store = opened.store();
        Optional<Credential> existing = store.get(id);
        if (existing.isPresent()) {
          try (Credential current = existing.get()) {
            Map<String, String> attributes =
                HelperNames.merged(current.metadata().attributes(), wanted, Set.of());
            boolean sameSecret = current.secret().sameAs(request.secret);
            if (!sameSecret || !attributes.equals(current.metadata().attributes())) {
              Instant now = context().clock().instant();
              try (Credential base = sameSecret ? null : current.rotatedTo(request.secret, now);
                  Credential updated = (base == null ? current : base).toBuilder()
                      .attributes(attributes).updatedAt(now).build()) {
                store.replace(current.secret(), updated);
              }
            }
          }
        } else {
          try (Credential credential = Credential.builder(id).token(request.secret)
              .attributes(wanted).clock(context().clock()).build()) {
            try {
              store.create(credential);
            } catch (CredentialConflictException raced) {
              store.put(credential);
            }
          }
        }
        // One login per registry, as Docker expects: drop other usernames for this server.
        for (CredentialMetadata other : forServer(store, request.serverUrl)) {
          if (!other.id().equals(id)) {
            store.delete(other.id());
          }
        }
      }
    } finally {
      Arrays.fill(input, (byte) 0);
    }
  }

  private void get(PrintWriter out)
      throws ProtocolException, CredentialStoreException, IOException {
    String serverUrl = serverUrl();
    try (Opened opened = open()) {
      Optional<CredentialMetadata> newest = forServer(opened.store(), serverUrl).stream()
          .max(Comparator.comparing(CredentialMetadata::updatedAt));
      Optional<Credential> found = newest.isEmpty() ? Optional.empty()
          : opened.store().get(newest.get().id());
      if (found.isEmpty()) {
        throw new ProtocolException(NOT_FOUND);
      }
      try (Credential credential = found.get()) {
        char[] secret = credential.secret().revealChars();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
          generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
          generator.writeStartObject();
          generator.writeStringField("ServerURL", serverUrl);
          generator.writeStringField("Username", username(credential.metadata()));
          generator.writeFieldName("Secret");
          generator.writeString(secret, 0, secret.length);
          generator.writeEndObject();
        } finally {
          Arrays.fill(secret, '\0');
        }
        out.write('\n');
      }
    }
  }

  private void erase() throws ProtocolException, CredentialStoreException {
    String serverUrl = serverUrl();
    try (Opened opened = open()) {
      for (CredentialMetadata metadata : forServer(opened.store(), serverUrl)) {
        opened.store().delete(metadata.id());
      }
    }
  }

  private void list(PrintWriter out) throws CredentialStoreException, IOException {
    // Everything is read before anything is written: on failure stdout holds only the error.
    Map<String, String> logins = new TreeMap<>();
    try (Opened opened = open()) {
      for (CredentialMetadata metadata : opened.store().list()) {
        if (metadata.id().service().startsWith(SERVICE_PREFIX)) {
          logins.put(serverUrl(metadata), username(metadata));
        }
      }
    }
    try (JsonGenerator generator = JSON.createGenerator(out)) {
      generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      generator.writeStartObject();
      for (Map.Entry<String, String> login : logins.entrySet()) {
        generator.writeStringField(login.getKey(), login.getValue());
      }
      generator.writeEndObject();
    }
    out.write('\n');
  }

  // The ServerURL an entry was stored for; before the url attribute, its name said it.
  private static String serverUrl(CredentialMetadata metadata) {
    String url = HelperNames.url(metadata.attributes());
    return url != null ? url : metadata.id().service().substring(SERVICE_PREFIX.length());
  }

  // Docker always sends a username; entries from before the attribute have it as their account.
  private static String username(CredentialMetadata metadata) {
    return metadata.attributes().getOrDefault(HelperNames.USERNAME, metadata.id().account());
  }

  private static List<CredentialMetadata> forServer(CredentialStore store, String serverUrl)
      throws CredentialStoreException {
    String service = HelperNames.service(SERVICE_PREFIX, serverUrl);
    return store.list().stream().filter(m -> m.id().service().equals(service))
        .filter(m -> serverUrl.equals(serverUrl(m))).toList();
  }
}
