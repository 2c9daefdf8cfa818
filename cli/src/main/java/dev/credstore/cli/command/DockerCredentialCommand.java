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
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Version;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.spi.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "docker-credential",
    description = {
        "A Docker credential helper (the docker-credential-helpers protocol): ACTION is store, "
            + "get, erase, list or version. Run through the bin/docker-credential-credstore "
            + "launcher, so that \"credsStore\": \"credstore\" in ~/.docker/config.json finds it.",
        "Credentials live under service docker:<ServerURL>, with the username as account; one "
            + "per server. As the protocol requires, every error is a message on standard output "
            + "and exit code 1 (not credstore's codes); a missing entry is \"credentials not found "
            + "in native keychain\". Erasing a missing entry succeeds."},
    mixinStandardHelpOptions = true)
final class DockerCredentialCommand extends BaseCommand {

  static final String SERVICE_PREFIX = "docker:";
  static final String NOT_FOUND = "credentials not found in native keychain";
  static final int PROTOCOL_ERROR = 1;

  // The secret-safe factory: no recycled buffers, no source excerpts in errors.
  private static final JsonFactory JSON = Json.factory();

  @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION",
      description = "store, get, erase, list or version")
  String action;

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
      if (action == null) {
        throw new ProtocolException(
            "Usage: docker-credential-credstore <store|get|erase|list|version>");
      }
      switch (action) {
        case "store" -> store();
        case "get" -> get(out);
        case "erase" -> erase();
        case "list" -> list(out);
        case "version" -> out.println("docker-credential-credstore (dev.credstore) "
            + new Version().getVersion()[0].replaceFirst("^credstore ", ""));
        default -> throw new ProtocolException("Unknown credential action `" + action + "`");
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
    return session().open(err());
  }

  private String serverUrl() throws ProtocolException {
    byte[] input = HelperInput.read(context().stdin(), false);
    String url = new String(input, StandardCharsets.UTF_8).strip();
    if (url.isEmpty()) {
      throw new ProtocolException("no credentials server URL");
    }
    return SERVICE_PREFIX + url;
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
      CredentialId id = new CredentialId(SERVICE_PREFIX + request.serverUrl, request.username);
      try (Opened opened = open()) {
        CredentialStore store = opened.store;
        Optional<Credential> existing = store.get(id);
        if (existing.isPresent()) {
          try (Credential current = existing.get()) {
            if (!current.secret().sameAs(request.secret)) {
              try (Credential rotated = current.rotatedTo(request.secret,
                  context().clock().instant())) {
                store.replace(current.secret(), rotated);
              }
            }
          }
        } else {
          try (Credential credential = Credential.builder(id).token(request.secret)
              .clock(context().clock()).build()) {
            try {
              store.create(credential);
            } catch (CredentialConflictException raced) {
              store.put(credential);
            }
          }
        }
        // One login per registry, as Docker expects: drop other usernames for this server.
        for (CredentialMetadata other : forService(store, id.service())) {
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
    String service = serverUrl();
    try (Opened opened = open()) {
      Optional<CredentialMetadata> newest = forService(opened.store, service).stream()
          .max(Comparator.comparing(CredentialMetadata::updatedAt));
      Optional<Credential> found = newest.isEmpty() ? Optional.empty()
          : opened.store.get(newest.get().id());
      if (found.isEmpty()) {
        throw new ProtocolException(NOT_FOUND);
      }
      try (Credential credential = found.get()) {
        char[] secret = credential.secret().revealChars();
        try (JsonGenerator generator = JSON.createGenerator(out)) {
          generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
          generator.writeStartObject();
          generator.writeStringField("ServerURL", service.substring(SERVICE_PREFIX.length()));
          generator.writeStringField("Username", credential.id().account());
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
    String service = serverUrl();
    try (Opened opened = open()) {
      for (CredentialMetadata metadata : forService(opened.store, service)) {
        opened.store.delete(metadata.id());
      }
    }
  }

  private void list(PrintWriter out) throws CredentialStoreException, IOException {
    try (Opened opened = open();
        JsonGenerator generator = JSON.createGenerator(out)) {
      generator.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      generator.writeStartObject();
      for (CredentialMetadata metadata : opened.store.list()) {
        if (metadata.id().service().startsWith(SERVICE_PREFIX)) {
          generator.writeStringField(metadata.id().service().substring(SERVICE_PREFIX.length()),
              metadata.id().account());
        }
      }
      generator.writeEndObject();
    }
    out.write('\n');
  }

  private static List<CredentialMetadata> forService(CredentialStore store, String service)
      throws CredentialStoreException {
    return store.list().stream().filter(m -> m.id().service().equals(service)).toList();
  }
}
