package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.api.UnlockStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A wrong passphrase from an interactive source is asked again, up to three tries in all. */
class FileStoreRetryTest {

  private static final CredentialId ID = CredentialId.of("k6");

  @TempDir Path temp;
  private Path file;
  private Map<String, String> environment;

  /** Answers from a script, as a prompt would; records each call. */
  private static final class Prompt implements PassphraseSource {
    final List<String> calls = new ArrayList<>();
    private final Deque<String> answers;

    Prompt(String... answers) {
      this.answers = new ArrayDeque<>(List.of(answers));
    }

    @Override
    public Optional<Secret> passphrase(Purpose purpose, String storeLocation) {
      calls.add("ask");
      return next();
    }

    @Override
    public Optional<Secret> askAgain(String storeLocation) {
      calls.add("again");
      return next();
    }

    private Optional<Secret> next() {
      String answer = answers.pollFirst();
      return answer == null ? Optional.empty() : Optional.of(Secret.of(answer));
    }
  }

  @BeforeEach
  void createStore() throws Exception {
    Path runtime = Files.createDirectory(temp.resolve("run"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    environment = Map.of("XDG_RUNTIME_DIR", runtime.toString());
    file = temp.resolve("data/credentials.cstore");
    try (FileCredentialStore store = store(TestStores.passphrase(TestStores.PASSPHRASE))) {
      store.put(Credential.builder(ID).token(Secret.of("the-token")).build());
    }
  }

  @AfterEach
  void lock() throws Exception {
    try (FileCredentialStore store = store(PassphraseSource.none())) {
      store.lock();
    }
  }

  private FileCredentialStore store(PassphraseSource passphrases) {
    return new FileCredentialStore(file, passphrases, TestStores.CHEAP_KDF,
        Duration.ofSeconds(30), environment);
  }

  @Test
  void get_wrongThenRightFromAPrompt_asksAgainOnce_andReads() throws Exception {
    Prompt prompt = new Prompt("wrong passphrase", TestStores.PASSPHRASE);
    try (FileCredentialStore store = store(prompt)) {
      assertTrue(store.get(ID).orElseThrow().secret().sameAs(Secret.of("the-token")));
    }
    assertEquals(List.of("ask", "again"), prompt.calls);
  }

  @Test
  void get_threeWrongFromAPrompt_failsAfterTheThird_withoutAFourthQuestion() {
    Prompt prompt = new Prompt("wrong 1", "wrong 2", "wrong 3", TestStores.PASSPHRASE);
    try (FileCredentialStore store = store(prompt)) {
      AuthenticationException e = assertThrows(AuthenticationException.class,
          () -> store.get(ID));
      assertTrue(e.getMessage().startsWith("wrong passphrase for store")
          && e.getMessage().endsWith("(3 tries)"), e.getMessage());
    }
    assertEquals(List.of("ask", "again", "again"), prompt.calls);
  }

  @Test
  void get_wrongFromTheEnvironment_isNeverAskedAgain_evenWithAPromptAfterIt() {
    Prompt prompt = new Prompt(TestStores.PASSPHRASE);
    PassphraseSource sources = PassphraseSource.firstOf(
        TestStores.passphrase("wrong passphrase"), prompt);
    try (FileCredentialStore store = store(sources)) {
      AuthenticationException e = assertThrows(AuthenticationException.class,
          () -> store.get(ID));
      assertEquals("wrong passphrase for store " + file, e.getMessage());
    }
    assertEquals(List.of(), prompt.calls);
  }

  @Test
  void get_wrongFromAPromptBehindAnEmptySource_isAskedAgainOfThatPrompt() throws Exception {
    Prompt prompt = new Prompt("wrong passphrase", TestStores.PASSPHRASE);
    try (FileCredentialStore store = store(
        PassphraseSource.firstOf(PassphraseSource.none(), prompt))) {
      assertTrue(store.get(ID).isPresent());
    }
    assertEquals(List.of("ask", "again"), prompt.calls);
  }

  @Test
  void unlockFor_wrongThenRightFromAPrompt_holdsTheKey() throws Exception {
    Prompt prompt = new Prompt("wrong passphrase", TestStores.PASSPHRASE);
    try (FileCredentialStore store = store(prompt)) {
      store.unlockFor(Duration.ofSeconds(30));
    }
    assertEquals(List.of("ask", "again"), prompt.calls);
    try (FileCredentialStore store = store(PassphraseSource.none())) {
      assertEquals(UnlockStatus.State.UNLOCKED, store.unlockStatus().state());
    }
  }
}
