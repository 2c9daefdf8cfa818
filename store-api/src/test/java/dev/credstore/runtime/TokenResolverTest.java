package dev.credstore.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ResolvedToken;
import dev.credstore.runtime.TokenResolver;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenResolverTest {

  private static final TokenResolver.StoreOpener MUST_NOT_OPEN = () -> {
    throw new AssertionError("the store was opened");
  };

  private static TokenResolver resolver(Map<String, String> environment) {
    return new TokenResolver(KnownServices.builtIn(), environment);
  }

  private static String reveal(ResolvedToken token) {
    return new String(token.secret().revealChars());
  }

  @Test
  void variable_overridesTheStore_withoutOpeningIt() throws Exception {
    try (ResolvedToken token = resolver(Map.of("K6_CLOUD_TOKEN", "env-token"))
        .resolve(CredentialId.of("k6"), true, MUST_NOT_OPEN).orElseThrow()) {
      assertEquals("env-token", reveal(token));
      assertEquals(Optional.of("K6_CLOUD_TOKEN"), token.environmentVariable());
      assertTrue(token.metadata().isEmpty());
      assertFalse(token.toString().contains("env-token"));
    }
  }

  @Test
  void variable_isIgnored_forNamedAccounts_emptyValues_andWhenAsked() throws Exception {
    TokenResolver resolver = resolver(Map.of("K6_CLOUD_TOKEN", "env-token", "UPSUN_CLI_TOKEN", ""));
    assertTrue(resolver.overridingVariable(CredentialId.of("k6", "staging")).isEmpty());
    assertTrue(resolver.overridingVariable(CredentialId.of("upsun")).isEmpty());
    assertTrue(resolver.overridingVariable(CredentialId.of("unknown-service")).isEmpty());
    assertEquals(Optional.of("K6_CLOUD_TOKEN"), resolver.overridingVariable(CredentialId.of("k6")));

    CredentialStore store = mock(CredentialStore.class);
    when(store.get(CredentialId.of("k6"))).thenReturn(Optional.empty());
    assertTrue(resolver.resolve(CredentialId.of("k6"), false, () -> store).isEmpty());
    verify(store).close();
  }

  @Test
  void store_answersWithSecretAndMetadata_andIsClosed() throws Exception {
    CredentialId id = CredentialId.of("k6");
    CredentialStore store = mock(CredentialStore.class);
    try (Secret secret = Secret.of("stored-token")) {
      when(store.get(id)).thenReturn(Optional.of(Credential.builder(id).token(secret).build()));
    }
    try (ResolvedToken token = resolver(Map.of()).resolve(id, true, () -> store).orElseThrow()) {
      assertEquals("stored-token", reveal(token));
      assertTrue(token.environmentVariable().isEmpty());
      assertEquals(CredentialKind.TOKEN, token.metadata().orElseThrow().kind());
    }
    verify(store).close();
  }

  @Test
  void storeFailures_propagate() throws Exception {
    CredentialStore store = mock(CredentialStore.class);
    when(store.get(CredentialId.of("k6"))).thenThrow(new AuthenticationException("locked"));
    assertThrows(AuthenticationException.class,
        () -> resolver(Map.of()).resolve(CredentialId.of("k6"), true, () -> store));
  }
}
