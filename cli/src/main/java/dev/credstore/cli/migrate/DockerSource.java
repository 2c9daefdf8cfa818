package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import dev.credstore.cli.helper.HelperNames;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Docker's {@code ${DOCKER_CONFIG:-~/.docker}/config.json}: {@code auths.<registry>.auth} (base64
 * of {@code user:password}) and {@code identitytoken}, as the CLI writes them without a credential
 * store. They move into the entries {@code docker-credential-credstore} serves ({@code
 * docker:<registry>}, the username as account; an identity token under Docker's {@code <token>}
 * username, as the credential-helper protocol carries it), are cut from the file (the empty {@code
 * auths} entry stays, as Docker keeps it with a store), and {@code credsStore} is set to {@code
 * credstore}; where another {@code credsStore} is set, a {@code credHelpers} entry per moved
 * registry instead. {@code registrytoken} is reported: the helper protocol has no way to hand a
 * bearer registry token back to Docker.
 */
final class DockerSource implements PlaintextSource {

  static final String SERVICE_PREFIX = "docker:";
  static final String HELPER = "credstore";
  /** The username Docker's credential helpers use for an identity token. */
  static final String TOKEN_USERNAME = "<token>";

  @Override
  public String tool() {
    return "docker";
  }

  @Override
  public Set<String> services() {
    return Set.of(); // docker:<registry>, served by docker-credential-credstore, not exec
  }

  @Override
  public List<Path> files(Places places) {
    return List.of(places.absolute("DOCKER_CONFIG").orElse(places.inHome(".docker"))
        .resolve("config.json"));
  }

  @Override
  public Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    List<String> pointers = JsonSurgery.stringPointers(bytes, path -> path.size() == 3
        && path.get(0).equals("auths") && Set.of("auth", "identitytoken", "registrytoken")
            .contains(path.get(2)));
    List<FoundSecret> found = new ArrayList<>();
    List<Reported> reported = new ArrayList<>();
    Set<String> registries = new LinkedHashSet<>();
    JsonSurgery surgery = JsonSurgery.of(bytes);
    try {
      for (String pointer : pointers) {
        List<String> path = JsonSurgery.segments(com.fasterxml.jackson.core.JsonPointer
            .compile(pointer));
        String registry = path.get(1);
        String kind = path.get(2);
        try (PlaintextConfig config = PlaintextConfig.parse(bytes, pointer, Map.of())) {
          if (config.token().isEmpty()) {
            continue;
          }
          if (kind.equals("registrytoken")) {
            reported.add(new Reported(pointer, "a registry bearer token, not moved: the "
                + "credential-helper protocol cannot hand it back to Docker; run docker login "
                + registry + " once credsStore is credstore"));
            continue;
          }
          if (kind.equals("identitytoken")) {
            found.add(new FoundSecret(pointer, id(registry, TOKEN_USERNAME),
                HelperNames.attributes(registry, TOKEN_USERNAME), config.token().get().copy()));
          } else {
            found.add(userAndPassword(pointer, registry, config.token().get()));
          }
        }
        surgery.remove(pointer);
        registries.add(registry);
      }
      if (found.isEmpty()) {
        return Scan.nothing(reported.isEmpty() ? "no credentials in auths"
            : "only registry tokens, which stay", reported);
      }
      pointStoreAtCredstore(bytes, surgery, registries);
      return Scan.rewrite(found, surgery.result(), reported);
    } catch (ConfigurationException | RuntimeException e) {
      found.forEach(FoundSecret::close);
      throw Scan.problem(e);
    }
  }

  /** The entry {@code docker-credential-credstore} serves: named as {@link HelperNames} does. */
  static CredentialId id(String registry, String username) {
    return new CredentialId(HelperNames.service(SERVICE_PREFIX, registry),
        HelperNames.account(username));
  }

  /** Docker's {@code auth}: base64 of {@code user:password}, split at the first colon. */
  private static FoundSecret userAndPassword(String pointer, String registry, Secret auth)
      throws ConfigurationException {
    byte[] encoded = auth.revealUtf8();
    byte[] decoded = null;
    byte[] password = null;
    try {
      try {
        decoded = Base64.getDecoder().decode(encoded);
      } catch (IllegalArgumentException e) {
        throw new ConfigurationException("the auth of " + registry + " is not base64");
      }
      int colon = 0;
      while (colon < decoded.length && decoded[colon] != ':') {
        colon++;
      }
      if (colon == 0 || colon >= decoded.length - 1) {
        throw new ConfigurationException("the auth of " + registry
            + " is not user:password; the file is left as it is");
      }
      String user = new String(decoded, 0, colon, java.nio.charset.StandardCharsets.UTF_8);
      password = Arrays.copyOfRange(decoded, colon + 1, decoded.length);
      return new FoundSecret(pointer, id(registry, user), HelperNames.attributes(registry, user),
          Secret.fromUtf8(password));
    } catch (IllegalArgumentException e) {
      throw new ConfigurationException("the auth of " + registry + " is not valid: "
          + e.getMessage());
    } finally {
      Arrays.fill(encoded, (byte) 0);
      if (decoded != null) {
        Arrays.fill(decoded, (byte) 0);
      }
      if (password != null) {
        Arrays.fill(password, (byte) 0);
      }
    }
  }

  /** credsStore: credstore, or credHelpers entries when another store is named. */
  private static void pointStoreAtCredstore(byte[] bytes, JsonSurgery surgery,
      Set<String> registries) throws ConfigurationException {
    Optional<String> store = text(bytes, "/credsStore");
    if (store.isEmpty()) {
      if (!hasMember(bytes, "credsStore")) {
        surgery.insertString("", "credsStore", HELPER);
      } else if (!JsonSurgery.stringPointers(bytes, p -> p.equals(List.of("credsStore")))
          .isEmpty()) {
        surgery.replaceString("/credsStore", HELPER); // "": no store, as Docker reads it
      } else {
        throw new ConfigurationException("has a credsStore that is not a string; the file is "
            + "left as it is");
      }
      return;
    }
    if (store.get().equals(HELPER)) {
      return;
    }
    Map<String, String> helpers = new LinkedHashMap<>();
    for (String registry : registries) {
      Optional<String> named = text(bytes, JsonSurgery.pointer("credHelpers", registry));
      if (named.isPresent() && !named.get().equals(HELPER)) {
        throw new ConfigurationException("credHelpers names " + named.get() + " for " + registry
            + ", so Docker would not look in credstore; the file is left as it is");
      }
      if (named.isEmpty()) {
        helpers.put(registry, HELPER);
      }
    }
    if (hasMember(bytes, "credHelpers")) {
      for (String registry : helpers.keySet()) {
        surgery.insertString("/credHelpers", registry, HELPER);
      }
    } else if (!helpers.isEmpty()) {
      surgery.insertObject("", "credHelpers", helpers);
    }
  }

  private static boolean hasMember(byte[] bytes, String name) throws ConfigurationException {
    return JsonSurgery.memberNames(bytes, "").contains(name);
  }

  private static Optional<String> text(byte[] bytes, String pointer) throws ConfigurationException {
    try (PlaintextConfig config = PlaintextConfig.parse(bytes, pointer, Map.of())) {
      return config.token().map(secret -> {
        char[] chars = secret.revealChars();
        try {
          return new String(chars); // a helper's name, not a secret
        } finally {
          Arrays.fill(chars, '\0');
        }
      });
    }
  }
}
