package dev.credstore.runtime;

import dev.credstore.spi.CredentialStoreProvider;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The providers {@link Backends} chooses among, by id, and which of them credstore ships. Kept
 * apart from the choosing so that the trust rules (shipped ids first, built-ins by exact class)
 * live in one place; loading is lazy, and a built-in is loaded by class name before anything
 * scans the class path.
 */
final class ProviderRegistry {

  private final Map<String, String> builtIn;
  private final Map<String, String> namedOnly;
  // Null when the providers were given (Backends.of), not discovered.
  private final ClassLoader loader;
  // Both filled lazily, under this object's lock: builtIns by class name, providers by ServiceLoader.
  private Map<String, CredentialStoreProvider> builtIns;
  private Map<String, CredentialStoreProvider> providers;
  private List<String> loadProblems;

  ProviderRegistry(ClassLoader loader, Map<String, String> builtIn,
      Map<String, String> namedOnly) {
    this.loader = loader;
    this.builtIn = builtIn;
    this.namedOnly = namedOnly;
  }

  /** A registry of exactly {@code found}, with {@code problems} as if met while loading. */
  static ProviderRegistry of(List<CredentialStoreProvider> found, List<String> problems,
      Map<String, String> builtIn, Map<String, String> namedOnly) {
    ProviderRegistry registry = new ProviderRegistry(null, builtIn, namedOnly);
    registry.index(found, problems);
    return registry;
  }

  /** Every provider, by id: the class-path scan, run once. */
  synchronized Map<String, CredentialStoreProvider> all() {
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

  /** Providers that failed to load or clashed, one sentence each. */
  List<String> loadProblems() {
    all();
    synchronized (this) {
      return loadProblems;
    }
  }

  /**
   * The built-in backends on the class path, by id. Loaded by class name when not discovered yet;
   * a built-in that is there but fails to load sends this to the full scan, which records why.
   */
  synchronized Map<String, CredentialStoreProvider> builtIns() {
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

  /** Whether {@code provider} is the exact class auto-selection trusts under its id. */
  boolean isBuiltIn(CredentialStoreProvider provider) {
    return isBuiltIn(provider, builtIn);
  }

  private static boolean isBuiltIn(CredentialStoreProvider provider, Map<String, String> builtIn) {
    String expected = builtIn.get(safeId(provider));
    return expected != null && expected.equals(provider.getClass().getName());
  }

  static String safeId(CredentialStoreProvider provider) {
    try {
      return provider.id();
    } catch (RuntimeException e) {
      return "";
    }
  }
}
