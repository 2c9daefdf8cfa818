package dev.credstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.CredentialStore;
import dev.credstore.runtime.BackendStatus;
import dev.credstore.runtime.Backends;
import dev.credstore.runtime.SelectedBackend;
import dev.credstore.runtime.StoreSettings;
import dev.credstore.spi.Probe;
import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.StoreOptions;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BackendsTest {

  private static final StoreOptions OPTIONS =
      StoreOptions.builder().dataDirectory(Path.of("/nonexistent/credstore")).build();

  /** A provider that answers its probe as told; opening is never reached in these tests. */
  static class FixedProvider implements CredentialStoreProvider {
    private final String id;
    private final int priority;
    private final Probe availability;

    FixedProvider(String id, int priority, Probe availability) {
      this.id = id;
      this.priority = priority;
      this.availability = availability;
    }

    @Override public String id() { return id; }
    @Override public String description() { return id + " backend"; }
    @Override public int priority() { return priority; }
    @Override public Probe probe(StoreOptions options) { return availability; }
    @Override public CredentialStore open(StoreOptions options) {
      throw new UnsupportedOperationException("not opened in selection tests");
    }
  }

  static final class Keychain extends FixedProvider {
    Keychain(Probe a) { super("keychain", 100, a); }
  }

  static final class File extends FixedProvider {
    File() { super("file", 10, Probe.ready("encrypted file")); }
  }

  static final class Planted extends FixedProvider {
    Planted() { super("planted", 1000, Probe.ready("always")); }
  }

  static final class Hanging extends FixedProvider {
    private final CountDownLatch never = new CountDownLatch(1);
    Hanging() { super("keychain", 100, null); }
    @Override public Probe probe(StoreOptions options) {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return Probe.ready("too late");
    }
  }

  static final class Throwing extends FixedProvider {
    Throwing() { super("keychain", 100, null); }
    @Override public Probe probe(StoreOptions options) {
      throw new NoClassDefFoundError("com/sun/jna/Native");
    }
  }

  private static final Map<String, String> BUILT_IN = Map.of(
      "keychain", Keychain.class.getName(), "file", File.class.getName());

  private static Backends backends(CredentialStoreProvider... providers) {
    return Backends.of(List.of(providers), List.of(), BUILT_IN);
  }

  private static StoreSettings.Setting<String> auto() {
    return new StoreSettings.Setting<>("auto", "default");
  }

  private static StoreSettings.Setting<String> named(String backend) {
    return new StoreSettings.Setting<>(backend, "--backend");
  }

  @Test
  void auto_picksHighestPriorityAvailable() throws Exception {
    SelectedBackend chosen = backends(new File(),
        new Keychain(Probe.ready("Secret Service"))).select(auto(), OPTIONS);
    assertEquals("keychain", chosen.id());
    assertTrue(chosen.passedOver().isEmpty());
  }

  @Test
  void auto_skipsUnavailable_andSaysWhy() throws Exception {
    SelectedBackend chosen = backends(new File(),
        new Keychain(Probe.unavailable("no D-Bus session bus"))).select(auto(), OPTIONS);
    assertEquals("file", chosen.id());
    assertTrue(chosen.reason().contains("keychain unavailable (no D-Bus session bus)"),
        chosen.reason());
  }

  @Test
  void auto_neverPicksANonBuiltInProvider_evenWithHigherPriority() throws Exception {
    SelectedBackend chosen = backends(new Planted(), new File()).select(auto(), OPTIONS);
    assertEquals("file", chosen.id());
  }

  @Test
  void auto_withNothingAvailable_failsClosed_listingReasons() {
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
        () -> backends(new Keychain(Probe.unavailable("no D-Bus session bus")))
            .select(auto(), OPTIONS));
    assertTrue(e.getMessage().contains("no D-Bus session bus"), e.getMessage());
    assertTrue(e.getMessage().contains("--backend"), e.getMessage());
  }

  @Test
  void named_nonBuiltInProvider_isUsedWhenNamed() throws Exception {
    SelectedBackend chosen = backends(new Planted(), new File())
        .select(new StoreSettings.Setting<>("planted", "--backend"), OPTIONS);
    assertEquals("planted", chosen.id());
    assertEquals("named by --backend", chosen.reason());
  }

  @Test
  void named_unavailable_failsWithReasonAndAlternative() {
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
        () -> backends(new File(), new Keychain(Probe.unavailable("no D-Bus session bus")))
            .select(new StoreSettings.Setting<>("keychain", "CREDSTORE_BACKEND"), OPTIONS));
    assertEquals("backend 'keychain' (from CREDSTORE_BACKEND) is not available here: no D-Bus"
        + " session bus; choose another with --backend or CREDSTORE_BACKEND (e.g. --backend file)",
        e.getMessage());
  }

  @Test
  void named_unknown_listsKnownBackends() {
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
        () -> backends(new File()).select(new StoreSettings.Setting<>("vault", "--backend"), OPTIONS));
    assertTrue(e.getMessage().contains("unknown backend 'vault'"), e.getMessage());
    assertTrue(e.getMessage().contains("auto, file"), e.getMessage());
  }

  @Test
  void hangingProbe_countsAsUnavailable_withinTheLimit() throws Exception {
    long start = System.nanoTime();
    SelectedBackend chosen = Backends.of(List.of(new Hanging(), new File()), List.of(),
        Map.of("keychain", Hanging.class.getName(), "file", File.class.getName()))
        .select(auto(), OPTIONS);
    assertEquals("file", chosen.id());
    assertTrue(chosen.reason().contains("did not answer"), chosen.reason());
    assertTrue(System.nanoTime() - start < Backends.PROBE_LIMIT.toNanos() * 3);
  }

  @Test
  void throwingProbe_countsAsUnavailable() throws Exception {
    SelectedBackend chosen = Backends.of(List.of(new Throwing(), new File()), List.of(),
        Map.of("keychain", Throwing.class.getName(), "file", File.class.getName()))
        .select(auto(), OPTIONS);
    assertEquals("file", chosen.id());
    assertTrue(chosen.reason().contains("probe failed"), chosen.reason());
  }

  @Test
  void impostorWithBuiltInId_neverDisplacesTheBuiltIn() throws Exception {
    CredentialStoreProvider impostor = new FixedProvider("file", 5, Probe.ready("x"));
    Backends backends = Backends.of(List.of(impostor, new File()), List.of(), BUILT_IN);
    assertEquals(1, backends.loadProblems().size());
    assertTrue(backends.loadProblems().get(0).contains("claimed by both"));
    List<BackendStatus> survey = backends.survey(OPTIONS);
    assertEquals(1, survey.size());
    assertTrue(survey.get(0).builtIn());
  }

  static final class Shipped extends FixedProvider {
    Shipped() { super("pass", 5, Probe.ready("password store")); }
  }

  @Test
  void namedOnlyShippedBackend_isNeverChosenByAuto_butIsUsedWhenNamed() throws Exception {
    Backends backends = Backends.of(List.of(new Shipped()), List.of(), BUILT_IN,
        Map.of("pass", Shipped.class.getName()));
    assertThrows(BackendUnavailableException.class, () -> backends.select(auto(), OPTIONS));
    assertEquals("pass", backends.select(named("pass"), OPTIONS).id());
    assertFalse(backends.survey(OPTIONS).get(0).builtIn(), "auto may not pick it");
  }

  @Test
  void impostorWithANamedOnlyShippedId_neverDisplacesTheShippedBackend() throws Exception {
    CredentialStoreProvider impostor = new FixedProvider("pass", 5, Probe.ready("impostor"));
    Backends backends = Backends.of(List.of(impostor, new Shipped()), List.of(), BUILT_IN,
        Map.of("pass", Shipped.class.getName()));
    assertTrue(backends.loadProblems().get(0).contains("claimed by both"));
    assertEquals("pass: password store", backends.survey(OPTIONS).stream()
        .map(s -> s.id() + ": " + s.reason()).findFirst().orElseThrow());
  }

  @Test
  void survey_reportsEveryProvider_highestPriorityFirst() {
    List<BackendStatus> survey = backends(new File(), new Planted(),
        new Keychain(Probe.unavailable("locked"))).survey(OPTIONS);
    assertEquals(List.of("planted", "keychain", "file"),
        survey.stream().map(BackendStatus::id).toList());
    assertFalse(survey.get(0).builtIn());
    assertFalse(survey.get(1).available());
  }

  /** A built-in stand-in that can be loaded by class name, as Backends loads the real ones. */
  public static final class NamedKeychain extends FixedProvider {
    public NamedKeychain() {
      super("keychain", 100, Probe.ready("by name"));
    }
  }

  /** Counts class-path resource scans (ServiceLoader reads META-INF/services through these). */
  static final class RecordingLoader extends ClassLoader {
    final List<String> scans = new ArrayList<>();

    RecordingLoader() {
      super(BackendsTest.class.getClassLoader());
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      scans.add(name);
      return super.getResources(name);
    }
  }

  private static final Map<String, String> BY_NAME = Map.of(
      "keychain", NamedKeychain.class.getName(), "file", "dev.credstore.absent.FileProvider");

  @Test
  void selectingABuiltIn_loadsItByName_withoutScanningTheClassPath() throws Exception {
    RecordingLoader loader = new RecordingLoader();
    Backends backends = Backends.discover(loader, BY_NAME);
    assertEquals("keychain", backends.select(named("keychain"), OPTIONS).id());
    assertEquals("keychain", backends.select(auto(), OPTIONS).id());
    assertEquals(List.of(), loader.scans);
  }

  @Test
  void survey_scansTheClassPath_andKeepsTheInstanceSelectionUsed() throws Exception {
    RecordingLoader loader = new RecordingLoader();
    Backends backends = Backends.discover(loader, BY_NAME);
    SelectedBackend selected = backends.select(named("keychain"), OPTIONS);
    List<BackendStatus> survey = backends.survey(OPTIONS);
    assertEquals(List.of("META-INF/services/" + CredentialStoreProvider.class.getName()),
        loader.scans);
    assertEquals(List.of("keychain"), survey.stream().map(BackendStatus::id).toList());
    assertTrue(survey.get(0).builtIn());
    assertEquals(selected.id(), backends.ids().get(0));
  }

  @Test
  void namingABackendThatIsNotBuiltIn_scansTheClassPath() {
    RecordingLoader loader = new RecordingLoader();
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
        () -> Backends.discover(loader, BY_NAME).select(named("file"), OPTIONS));
    assertTrue(e.getMessage().contains("unknown backend 'file'"), e.getMessage());
    assertEquals(1, loader.scans.size());
  }

  @org.junit.jupiter.api.io.TempDir Path home;

  private StoreSettings rememberedSettings(String backend) throws Exception {
    StoreSettings fresh = StoreSettings.load(Map.of("HOME", home.toString()));
    assertTrue(fresh.rememberBackend(backend));
    return StoreSettings.load(Map.of("HOME", home.toString()));
  }

  @Test
  void remembered_unavailable_failsWithHowToReachIt_insteadOfFallingBack() throws Exception {
    StoreSettings settings = rememberedSettings("keychain");
    BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
        () -> backends(new File(), new Keychain(Probe.unavailable("no D-Bus session bus")))
            .select(settings, OPTIONS));
    assertTrue(e.getMessage().contains("keeps your credentials in the keychain backend"),
        e.getMessage());
    assertTrue(e.getMessage().contains("no D-Bus session bus"), e.getMessage());
    assertTrue(e.getMessage().contains("DBUS_SESSION_BUS_ADDRESS="), e.getMessage());
    assertTrue(e.getMessage().contains("--backend file"), e.getMessage());
  }

  @Test
  void remembered_isUsed_evenWhereAutoWouldPickAnother() throws Exception {
    SelectedBackend chosen = backends(new File(), new Keychain(Probe.ready("Secret Service")))
        .select(rememberedSettings("file"), OPTIONS);
    assertEquals("file", chosen.id());
    assertTrue(chosen.otherStores().isEmpty());
  }

  static final class FileWithData extends FixedProvider {
    FileWithData() { super("file", 10, Probe.ready("encrypted file")); }
    @Override public java.util.Optional<String> existingData(StoreOptions options) {
      return java.util.Optional.of("encrypted file /x/credentials.cstore");
    }
  }

  @Test
  void auto_beforeAnythingIsRemembered_namesOtherStoresHoldingData() throws Exception {
    Map<String, String> builtIn = Map.of(
        "keychain", Keychain.class.getName(), "file", FileWithData.class.getName());
    Backends found = Backends.of(List.of(new FileWithData(),
        new Keychain(Probe.ready("Secret Service"))), List.of(), builtIn);
    SelectedBackend chosen =
        found.select(StoreSettings.load(Map.of("HOME", home.toString())), OPTIONS);
    assertEquals("keychain", chosen.id());
    assertEquals(List.of("file: encrypted file /x/credentials.cstore"), chosen.otherStores());
  }
}
