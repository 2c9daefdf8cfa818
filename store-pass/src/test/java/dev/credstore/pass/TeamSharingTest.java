package dev.credstore.pass;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.Secret;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The team case: one store, two people's keys in .gpg-id, each reads what the other wrote. */
class TeamSharingTest {

  @Test
  void entryWrittenForKeysAandB_isReadableWithPassShow_byAHomeHoldingOnlyB() throws Exception {
    try (PassTesting world = new PassTesting()) {
      Path alice = world.gnupgHome("Alice", null);
      Path bob = world.gnupgHome("Bob", null);
      world.importPublicKey(bob, alice);
      world.run(alice, null, "pass", "init", world.fingerprint(alice), world.fingerprint(bob));
      try (CredentialStore store = new PassStoreProvider().open(world.options(alice));
          Secret token = Secret.of("shared-ci-token");
          Credential credential = Credential.builder(CredentialId.of("k6", "ci")).token(token)
              .attribute("stackId", "42").build()) {
        store.put(credential);
      }
      String shown = world.run(bob, null, "pass", "show", "credstore/k6/ci");
      assertEquals("shared-ci-token", shown.lines().findFirst().orElseThrow());
      // And credstore itself, run by Bob, reads it too.
      try (CredentialStore store = new PassStoreProvider().open(world.options(bob));
          Credential read = store.get(CredentialId.of("k6", "ci")).orElseThrow()) {
        char[] chars = read.secret().revealChars();
        assertEquals("shared-ci-token", new String(chars));
        assertEquals("42", read.metadata().attributes().get("stackId"));
      }
    }
  }
}
