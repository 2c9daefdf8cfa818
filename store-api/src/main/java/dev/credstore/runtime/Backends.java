package dev.credstore.runtime;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  private final Map<String, String> builtIn;
  private final Map<String, String> namedOnly;
  // Null when the providers were given (of), not discovered.
  private final ClassLoader loader;
  // Both filled lazily, under this object's lock: builtIns by class name, providers by ServiceLoader.
  private Map<String, CredentialStoreProvider> builtIns;
  private Map<String, CredentialStoreProvider> providers;
  private List<String> loadProblems;

  private Backends(ClassLoader loader, Map<String, String> builtIn,
      Map<String, String> namedOnly) {
    this.loader = loader;
    this.builtIn = builtIn;
    this.namedOnly = namedOnly;
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
    return new Backends(Objects.requireNonNull(loader, "loader"), builtIn, NAMED_ONLY);
  }

  static Backends of(List<CredentialStoreProvider> found, List<String> problems,
      Map<String, String> builtIn) {
    return of(found, problems, builtIn, Map.of());
  }

  static Backends of(List<CredentialStoreProvider> found, List<String> problems,
      Map<String, String> builtIn, Map<String, String> namedOnly) {
    Backends backends = new Backends(null, builtIn, namedOnly);
    backends.index(found, problems);
    return backends;
  }

  private synchronized Map<String, CredentialStoreProvider> all() {
    if (providers == null) {
      List<CredentialStoreProvider> found = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      Iterator<CredentialStoreProvider> it =
          ServiceLoader.load(CredentialStoreProvider.class, loader).iterator();
      while (true) {
        try {
          if (!it.hasNext()) {
            break;
          }
          found.add(sameAsLoaded(it.next()));
        } catch (ServiceConfigurationError | LinkageError e) {
          problems.add("a backend failed to load and was skipped: " + e.getMessage());
        }
      }
      if (builtIns != null) {
        // Loaded by name, so present even where a repackaged jar lost its services file.
        for (CredentialStoreProvider loaded : builtIns.values()) {
          if (!found.contains(loaded)) {
            found.add(loaded);
          }
        }
      }
      index(found, problems);
    }
    return providers;
  }

  // A built-in already loaded by name stays the one instance, so ids() and select() agree.
  private CredentialStoreProvider sameAsLoaded(CredentialStoreProvider provider) {
    if (builtIns != null) {
      for (CredentialStoreProvider loaded : builtIns.values()) {
        if (loaded.getClass() == provider.getClass()) {
          return loaded;
        }
      }
    }
    return provider;
  }

  private void index(List<CredentialStoreProvider> found, List<String> problems) {
    List<String> allProblems = new ArrayList<>(problems);
    Map<String, CredentialStoreProvider> byId = new LinkedHashMap<>();
    // Shipped backends first, so an impostor with a shipped id can never displace the real one.
    List<CredentialStoreProvider> ordered = new ArrayList<>(found);
    ordered.sort(Comparator.comparing(p -> !isBuiltIn(p, builtIn) && !isBuiltIn(p, namedOnly)));
    for (CredentialStoreProvider provider : ordered) {
      String id;
      try {
        id = provider.id();
      } catch (RuntimeException e) {
        allProblems.add("backend " + provider.getClass().getName() + " has no usable id: " + e);
        continue;
      }
      CredentialStoreProvider previous = byId.putIfAbsent(id, provider);
      if (previous != null) {
        allProblems.add("backend id '" + id + "' is claimed by both "
            + previous.getClass().getName() + " and " + provider.getClass().getName()
            + "; using " + previous.getClass().getName());
      }
    }
    providers = byId;
    loadProblems = List.copyOf(allProblems);
  }

  /**
   * The built-in backends on the class path, by id. Loaded by class name when not discovered yet;
   * a built-in that is there but fails to load sends this to the full scan, which records why.
   */
  private synchronized Map<String, CredentialStoreProvider> builtIns() {
    if (builtIns == null) {
      Map<String, CredentialStoreProvider> byName =
          providers == null && loader != null ? loadBuiltInsByName() : null;
      builtIns = byName != null ? byName : builtInsAmong(all());
    }
    return builtIns;
  }

  /** The built-ins on the class path, by id; null if one is there but does not load cleanly. */
  private Map<String, CredentialStoreProvider> loadBuiltInsByName() {
    Map<String, CredentialStoreProvider> loaded = new LinkedHashMap<>();
    for (Map.Entry<String, String> entry : new TreeMap<>(builtIn).entrySet()) {
      CredentialStoreProvider provider;
      try {
        provider = Class.forName(entry.getValue(), true, loader)
            .asSubclass(CredentialStoreProvider.class).getConstructor().newInstance();
      } catch (ClassNotFoundException e) {
        continue; // not installed, e.g. an application that ships only the file backend
      } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
        return null;
      }
      if (!entry.getKey().equals(safeId(provider))) {
        return null;
      }
      loaded.put(entry.getKey(), provider);
    }
    return loaded;
  }

  private Map<String, CredentialStoreProvider> builtInsAmong(
      Map<String, CredentialStoreProvider> discovered) {
    Map<String, CredentialStoreProvider> found = new LinkedHashMap<>();
    for (CredentialStoreProvider provider : discovered.values()) {
      if (isBuiltIn(provider, builtIn)) {
        found.put(provider.id(), provider);
      }
    }
    return found;
  }


  /** Ids of the backends credstore ships, sorted: for messages that list valid names. */
  static List<String> shippedIds() {
    return Stream.concat(BUILT_IN.keySet().stream(), NAMED_ONLY.keySet().stream()).sorted()
        .toList();
  }

  /** Ids of every loaded backend, highest priority first. */
  public List<String> ids() {
    return sortedByPriority(all().values()).stream().map(CredentialStoreProvider::id)
        .collect(Collectors.toList());
  }

  /** Providers that failed to load or clashed, one sentence each. */
  public List<String> loadProblems() {
    all();
    synchronized (this) {
      return loadProblems;
    }
  }

  /** Probes every loaded backend, highest priority first. */
  public List<BackendStatus> survey(StoreOptions options) {
    List<BackendStatus> statuses = new ArrayList<>();
    for (CredentialStoreProvider provider : sortedByPriority(all().values())) {
      try (Probe probe = probe(provider, options)) {
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
    for (CredentialStoreProvider provider : sortedByPriority(builtIns().values())) {
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
    for (CredentialStoreProvider provider : sortedByPriority(builtIns().values())) {
      if (!isBuiltIn(provider, builtIn)) {
        continue;
      }
      Probe probe = probe(provider, options);
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
    CredentialStoreProvider provider = builtIns().get(name);
    if (provider == null) {
      provider = all().get(name);
    }
    if (provider == null) {
      throw new BackendUnavailableException("unknown backend '" + name + "' (from " + source
          + "); available backends: auto, " + String.join(", ", ids()));
    }
    Probe probe = probe(provider, options);
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
        isBuiltIn(provider, builtIn), probe.state(), probe.reason());
  }

  private static boolean isBuiltIn(CredentialStoreProvider provider, Map<String, String> builtIn) {
    String expected = builtIn.get(safeId(provider));
    return expected != null && expected.equals(provider.getClass().getName());
  }

  private static String safeId(CredentialStoreProvider provider) {
    try {
      return provider.id();
    } catch (RuntimeException e) {
      return "";
    }
  }

  // Probes run on a daemon thread so that a provider that blocks cannot hang selection or keep
  // the JVM alive; the thread is abandoned after PROBE_LIMIT, and whatever its probe finds later
  // is closed by that thread, since nobody will open it.
  private static Probe probe(CredentialStoreProvider provider, StoreOptions options) {
    AtomicReference<Probe> slot = new AtomicReference<>();
    Probe abandoned = Probe.unavailable("did not answer within " + PROBE_LIMIT.toMillis() + " ms");
    FutureTask<Probe> task = new FutureTask<>(() -> {
      Probe answer = provider.probe(options);
      if (answer != null && !slot.compareAndSet(null, answer)) {
        answer.close();
      }
      return answer;
    });
    Thread thread = new Thread(task, "credstore-probe-" + safeId(provider));
    thread.setDaemon(true);
    thread.start();
    try {
      Probe answer = task.get(PROBE_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
      return answer != null ? answer : Probe.unavailable("probe gave no answer");
    } catch (TimeoutException e) {
      if (slot.compareAndSet(null, abandoned)) {
        task.cancel(true);
        return abandoned;
      }
      return slot.get(); // answered just as the time ran out
    } catch (ExecutionException e) {
      return Probe.unavailable("probe failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (!slot.compareAndSet(null, abandoned)) {
        slot.get().close();
      }
      return Probe.unavailable("probe interrupted");
    }
  }
}
