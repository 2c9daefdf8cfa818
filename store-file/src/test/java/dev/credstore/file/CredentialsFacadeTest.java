package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.PassphraseSource;
import dev.credstore.api.Secret;
import dev.credstore.runtime.Credentials;
import dev.credstore.runtime.ResolvedToken;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding facade over the real file backend, found through ServiceLoader. */
class CredentialsFacadeTest {

  @TempDir Path home;

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    env.put("CREDSTORE_BACKEND", "file");
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void login_resolve_rotate_logout_roundTrip() throws Exception {
    try (Credentials k6 = Credentials.builder("k6")
            .environment(env("CREDSTORE_PASSPHRASE", TestStores.PASSPHRASE)).build();
        Secret first = Secret.of("first-token"); Secret second = Secret.of("second-token")) {
      k6.login(first, Map.of("stack", "demo"));
      try (ResolvedToken token = k6.resolve()) {
        assertTrue(token.secret().sameAs(first));
        assertEquals(Optional.empty(), token.environmentVariable());
        assertEquals("demo", token.metadata().orElseThrow().attributes().get("stack"));
      }
      assertThrows(CredentialConflictException.class, () -> k6.login(second, Map.of()));
      k6.rotate(second);
      try (ResolvedToken token = k6.resolve()) {
        assertTrue(token.secret().sameAs(second));
        assertTrue(token.metadata().orElseThrow().hasPreviousSecret());
      }
      assertTrue(k6.logout());
      assertFalse(k6.logout());
      CredentialNotFoundException e = assertThrows(CredentialNotFoundException.class, k6::resolve);
      // Names the credential and the variable; the wording of what to run is the caller's.
      assertEquals("no token for k6/default (none stored, and K6_CLOUD_TOKEN is not set)",
          e.getMessage());
    }
  }

  @Test
  void registeredVariable_overridesTheStore_withoutOpeningIt() throws Exception {
    // No passphrase anywhere: opening the store would fail, so success proves it stayed closed.
    try (Credentials k6 = Credentials.builder("k6").environment(env("K6_CLOUD_TOKEN", "from-env"))
            .passphrases(PassphraseSource.none()).build();
        ResolvedToken token = k6.resolve()) {
      assertArrayEquals("from-env".toCharArray(), token.secret().revealChars());
      assertEquals(Optional.of("K6_CLOUD_TOKEN"), token.environmentVariable());
    }
  }

  @Test
  void otherAccounts_areNotOverriddenByTheVariable_andSayHowToLogIn() throws Exception {
    try (Credentials ci = Credentials.builder("k6").account("ci")
        .environment(env("K6_CLOUD_TOKEN", "from-env", "CREDSTORE_PASSPHRASE", "pass phrase 1"))
        .build()) {
      CredentialNotFoundException e = assertThrows(CredentialNotFoundException.class, ci::resolve);
      assertEquals("no token for k6/ci (none stored)", e.getMessage());
    }
  }

  @Test
  void withoutAPassphrase_aLockedStoreFailsAtOnce_namingTheOptions() throws Exception {
    try (Credentials setup = Credentials.builder("k6")
            .environment(env("CREDSTORE_PASSPHRASE", TestStores.PASSPHRASE)).build();
        Secret token = Secret.of("t0ken")) {
      setup.login(token, Map.of());
    }
    try (Credentials k6 = Credentials.builder("k6").environment(env()).build()) {
      AuthenticationException e = assertThrows(AuthenticationException.class, k6::resolve);
      assertTrue(e.getMessage().contains("CREDSTORE_PASSPHRASE"), e.getMessage());
    }
  }

  @Test
  void repeatedAndConcurrentResolves_askForThePassphraseOnce() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    PassphraseSource counting = (purpose, location) -> {
      asked.incrementAndGet();
      return Optional.of(Secret.of(TestStores.PASSPHRASE));
    };
    try (Credentials k6 = Credentials.builder("k6").environment(env()).passphrases(counting)
            .build();
        Secret token = Secret.of("shared-token")) {
      k6.login(token, Map.of());
      assertEquals(1, asked.get(), "creating the store asks once");
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        results.add(pool.submit(() -> {
          try (ResolvedToken resolved = k6.resolve()) {
            return resolved.secret().sameAs(token);
          }
        }));
      }
      for (Future<Boolean> result : results) {
        assertTrue(result.get());
      }
      pool.shutdown();
      assertEquals(1, asked.get(), "the key is derived once per process, not per call");
    }
  }
}
