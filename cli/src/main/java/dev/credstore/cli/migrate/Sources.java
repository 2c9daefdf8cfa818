package dev.credstore.cli.migrate;

import dev.credstore.api.CredentialId;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ServiceDefinition;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every plaintext source {@code migrate} and {@code doctor} know: the tools credstore moves secrets
 * for, the services registered with a token pointer and config files, and the kinds only reported.
 * Adding a tool is one line here and one {@link PlaintextSource}.
 */
public final class Sources {

  private Sources() {}

  /** Sources that move secrets, for {@code account} of JSON-pointer services (null: default). */
  public static List<PlaintextSource> moving(KnownServices services, String account) {
    List<PlaintextSource> sources = new ArrayList<>();
    for (ServiceDefinition definition : services.all()) {
      if (definition.tokenPointer() != null && !definition.configFiles().isEmpty()) {
        sources.add(JsonTokenSource.known(definition, account));
      }
    }
    sources.add(new AppcircleSource());
    sources.add(PlatformSource.platformsh());
    sources.add(PlatformSource.upsun());
    sources.add(new DockerSource());
    sources.add(new GitCredentialsSource());
    sources.add(new GhSource());
    sources.add(NpmSource.askingNpm());
    return sources;
  }

  /** Sources only reported (by {@code migrate --dry-run} and {@code doctor}). */
  public static List<PlaintextSource> reporting() {
    return List.of(new NetrcSource(), IniPasswordSource.pypirc(), IniPasswordSource.aws(),
        new MavenSettingsSource());
  }

  /** Both. */
  public static List<PlaintextSource> all(KnownServices services) {
    List<PlaintextSource> all = new ArrayList<>(moving(services, null));
    all.addAll(reporting());
    return all;
  }

  /** The source named {@code tool} (e.g. {@code docker}), for {@code migrate --service}. */
  public static Optional<PlaintextSource> find(KnownServices services, String tool) {
    return all(services).stream()
        .filter(s -> s.tool().equals(tool) || s.services().contains(tool)).findFirst();
  }

  /** The handing back of {@code service}'s secrets under {@code exec}, if a source knows one. */
  public static Optional<PlaintextSource> forService(KnownServices services, String service) {
    return moving(services, null).stream().filter(s -> s.services().contains(service))
        .findFirst();
  }

  /** A JSON file named with {@code --from}. */
  public static PlaintextSource explicit(List<Path> files, String pointer,
      Map<String, String> metadataPointers, CredentialId id) {
    return JsonTokenSource.explicit(files, pointer, metadataPointers, id);
  }
}
