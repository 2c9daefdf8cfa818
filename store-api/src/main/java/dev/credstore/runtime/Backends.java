package dev.credstore.runtime;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The backends found on the class path, and the rules for choosing one.
 *
 * <p>Selection: a named backend is used if it is available, else selection fails with the reason
 * and what to do; {@value StoreSettings#AUTO} picks the highest-priority <em>built-in</em> backend
 * whose probe says it is available. A provider from elsewhere on the class path is used only when
 * named, so that a planted jar cannot capture secrets by outbidding the built-ins. Shipped
 * named-only backends ({@code pass}) are likewise used only when named, and like the built-ins
 * keep their id against any other class that claims it. Nothing ever
 * falls back to plaintext: there is no plaintext backend.
 *
 * <p>A provider that fails to load is recorded in {@link #loadProblems()} and skipped. A probe that
 * throws or does not answer within {@link #PROBE_LIMIT} counts as unavailable.
 */
public final class Backends {

  /** Longest a probe may take before its backend counts as unavailable. */
  public static final Duration PROBE_LIMIT = Duration.ofSeconds(2);

  // Auto-selection trusts these exact classes only (id -> implementation class).
  private static final Map<String, String> BUILT_IN = Map.of(
      "keychain", "dev.credstore.keychain.KeychainStoreProvider",
      "file", "dev.credstore.file.FileStoreProvider");

  // Shipped with credstore and trusted under their ids, but used only when named: a backend that
  // needs the user's own setup (a GPG key, a store to share) is never auto's choice.
  private static final Map<String, String> NAMED_ONLY = Map.of(
      "pass", "dev.credstore.pass.PassStoreProvider");

  // Which providers there are; Backends decides among them.
  private final ProviderRegistry registry;

  private Backends(ProviderRegistry registry) {
    this.registry = registry;
  }

  /** The providers {@link ServiceLoader} finds with credstore's own class loader. */
  public static Backends discover() {
    return discover(Backends.class.getClassLoader());
  }

  /**
   * The providers {@link ServiceLoader} finds with {@code loader}. The class-path scan runs only
   * when something needs more than the built-in backends (listing, a survey, a backend named that
   * is not built in): selecting a built-in loads it by its class name, which spares every
   * {@code credstore get} the scan of the jar's services (bench/README.md).
   */
  public static Backends discover(ClassLoader loader) {
    return discover(loader, BUILT_IN);
  }

  static Backends discover(ClassLoader loader, Map<String, String> builtIn) {
    return new Backends(
        new ProviderRegistry(Objects.requireNonNull(loader, "loader"), builtIn, NAMED_ONLY));
  }

  static Backends of(List<CredentialStoreProvider> found, List<String> problems,
      Map<String, String> builtIn) {
    return of(found, problems, builtIn, Map.of());
  }

  static Backends of(List<CredentialStoreProvider> found, List<String> problems,
      Map<String, String> builtIn, Map<String, String> namedOnly) {
    return new Backends(ProviderRegistry.of(found, problems, builtIn, namedOnly));
  }

  /** Ids of the backends credstore ships, sorted: for messages that list valid names. */
  static List<String> shippedIds() {
    return Stream.concat(BUILT_IN.keySet().stream(), NAMED_ONLY.keySet().stream()).sorted()
        .toList();
  }

  /** Ids of every loaded backend, highest priority first. */
  public List<String> ids() {
    return sortedByPriority(registry.all().values()).stream().map(CredentialStoreProvider::id)
        .collect(Collectors.toList());
  }

  /** Providers that failed to load or clashed, one sentence each. */
  public List<String> loadProblems() {
    return registry.loadProblems();
  }

  /** Probes every loaded backend, highest priority first. */
  public List<BackendStatus> survey(StoreOptions options) {
    List<BackendStatus> statuses = new ArrayList<>();
    for (CredentialStoreProvider provider : sortedByPriority(registry.all().values())) {
      try (Probe probe = BoundedProbe.run(provider, options, PROBE_LIMIT)) {
        statuses.add(status(provider, probe));
      }
    }
    return statuses;
  }

  /**
   * Chooses the backend for {@code settings}: the one named, the one remembered (which must be
   * available: one user's credentials stay in one store, whatever this session can reach), or the
   * best available one for {@value StoreSettings#AUTO}. An automatic choice made before anything
   * is remembered notes any other built-in store that already holds data ({@link
   * SelectedBackend#otherStores()}).
   *
   * @throws BackendUnavailableException if the backend named or remembered is unknown or
   *     unavailable, or no built-in backend is available; the message says why and what to do
   */
  public SelectedBackend select(StoreSettings settings, StoreOptions options)
      throws BackendUnavailableException {
    if (settings.backendRemembered()) {
      try {
        return selectNamed(settings.backend().value(), settings.backend().source(), options);
      } catch (BackendUnavailableException e) {
        throw rememberedUnavailable(settings, e);
      }
    }
    SelectedBackend selected = select(settings.backend(), options);
    if (!StoreSettings.AUTO.equals(settings.backend().value())) {
      return selected;
    }
    return selected.withOtherStores(otherStores(selected.id(), options));
  }

  /** Built-in stores other than {@code inUse} that say they hold data, one line each. */
  public List<String> otherStores(String inUse, StoreOptions options) {
    List<String> found = new ArrayList<>();
    for (CredentialStoreProvider provider : sortedByPriority(registry.builtIns().values())) {
      if (provider.id().equals(inUse)) {
        continue;
      }
      try {
        provider.existingData(options).ifPresent(where -> found.add(provider.id() + ": " + where));
      } catch (RuntimeException e) {
        // A provider that cannot tell is as good as one that has nothing to say.
      }
    }
    return found;
  }

  private static BackendUnavailableException rememberedUnavailable(StoreSettings settings,
      BackendUnavailableException cause) {
    String id = settings.backend().value();
    String reach = "keychain".equals(id)
        ? " To reach the keychain from cron, ssh or CI, run the command with the desktop"
            + " session's bus (DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$(id -u)/bus, with the"
            + " user logged in and the keyring unlocked)."
        : "";
    String other = "keychain".equals(id) ? "file" : "keychain";
    return new BackendUnavailableException("credstore keeps your credentials in the " + id
        + " backend (remembered in " + settings.backendMemoryFile() + " at the first write), but"
        + " it is not available here: " + cause.getMessage() + "." + reach + " To use another"
        + " store anyway, pass --backend " + other + " or set " + StoreSettings.BACKEND_VARIABLE
        + "=" + other + " (it holds other credentials); to switch for good, delete "
        + settings.backendMemoryFile() + ".", cause);
  }

  /**
   * Chooses the backend {@code request} names, or the best available one for {@value
   * StoreSettings#AUTO}.
   *
   * @throws BackendUnavailableException if the named backend is unknown or unavailable, or no
   *     built-in backend is available; the message says why and what to do
   */
  public SelectedBackend select(StoreSettings.Setting<String> request, StoreOptions options)
      throws BackendUnavailableException {
    String name = request.value();
    if (!StoreSettings.AUTO.equals(name)) {
      return selectNamed(name, request.source(), options);
    }
    List<BackendStatus> passedOver = new ArrayList<>();
    for (CredentialStoreProvider provider : sortedByPriority(registry.builtIns().values())) {
      if (!registry.isBuiltIn(provider)) {
        continue;
      }
      Probe probe = BoundedProbe.run(provider, options, PROBE_LIMIT);
      if (probe.usable()) {
        String why = passedOver.isEmpty()
            ? "auto: highest-priority available backend (" + probe.reason() + ")"
            : "auto: " + passedOver.stream()
                .map(s -> s.id() + " unavailable (" + s.reason() + ")")
                .collect(Collectors.joining("; "));
        return new SelectedBackend(provider, probe, why, passedOver);
      }
      passedOver.add(status(provider, probe));
    }
    String reasons = passedOver.isEmpty() ? "no built-in backend is installed"
        : passedOver.stream().map(s -> s.id() + ": " + s.reason())
            .collect(Collectors.joining("; "));
    throw new BackendUnavailableException("no credential backend is available (" + reasons
        + "); fix one of these or choose one with --backend or " + StoreSettings.BACKEND_VARIABLE);
  }

  private SelectedBackend selectNamed(String name, String source, StoreOptions options)
      throws BackendUnavailableException {
    CredentialStoreProvider provider = registry.builtIns().get(name);
    if (provider == null) {
      provider = registry.all().get(name);
    }
    if (provider == null) {
      throw new BackendUnavailableException("unknown backend '" + name + "' (from " + source
          + "); available backends: auto, " + String.join(", ", ids()));
    }
    Probe probe = BoundedProbe.run(provider, options, PROBE_LIMIT);
    if (!probe.usable()) {
      throw new BackendUnavailableException("backend '" + name + "' (from " + source
          + ") is not available here: " + probe.reason() + "; choose another with"
          + " --backend or " + StoreSettings.BACKEND_VARIABLE + " (e.g. --backend "
          + alternativeTo(name) + ")");
    }
    return new SelectedBackend(provider, probe, "named by " + source, List.of());
  }

  private String alternativeTo(String name) {
    return ids().stream().filter(id -> !id.equals(name)).findFirst().orElse(StoreSettings.AUTO);
  }

  private static List<CredentialStoreProvider> sortedByPriority(
      Collection<CredentialStoreProvider> providers) {
    List<CredentialStoreProvider> sorted = new ArrayList<>(providers);
    sorted.sort(Comparator.comparingInt(Backends::safePriority).reversed()
        .thenComparing(CredentialStoreProvider::id));
    return sorted;
  }

  private static int safePriority(CredentialStoreProvider provider) {
    try {
      return provider.priority();
    } catch (RuntimeException e) {
      return Integer.MIN_VALUE;
    }
  }

  private BackendStatus status(CredentialStoreProvider provider, Probe probe) {
    return new BackendStatus(provider.id(), provider.description(), safePriority(provider),
        registry.isBuiltIn(provider), probe.state(), probe.reason());
  }

}
