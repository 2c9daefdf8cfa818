package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A committed format-1 store (vectors/v1-store.cstore, passphrase in v1-store.passphrase) must
 * open in every future version, and its damaged variants must fail with the right exception.
 */
class KnownAnswerTest {

  @TempDir Path directory;
  private byte[] vector;
  private String passphrase;

  @BeforeEach
  void loadVector() throws Exception {
    vector = resource("vectors/v1-store.cstore");
    passphrase = new String(resource("vectors/v1-store.passphrase"), StandardCharsets.UTF_8);
  }

  @Test
  void v1Store_opensWithItsPassphrase_andHoldsTheKnownCredentials() throws Exception {
    Path file = place(vector);
    try (FileCredentialStore store = TestStores.open(file, passphrase)) {
      assertEquals(List.of(CredentialId.of("appcircle", "ci-bot"), CredentialId.of("k6")),
          store.list().stream().map(m -> m.id()).toList());
      try (Credential k6 = store.get(CredentialId.of("k6")).orElseThrow();
          Credential appcircle = store.get(CredentialId.of("appcircle", "ci-bot")).orElseThrow();
          Secret k6Token = Secret.of("k6-token-KAT-0001");
          Secret apiSecret = Secret.of("api/secret+KAT=2");
          Secret previous = Secret.of("previous-KAT-3")) {
        List<String> failures = new ArrayList<>();
        check(failures, "k6 secret", k6.secret().sameAs(k6Token));
        check(failures, "k6 kind", k6.kind() == CredentialKind.TOKEN);
        check(failures, "k6 attributes", k6.metadata().attributes().equals(Map.of(
            "stackId", "1234", "stackUrl", "https://kat.grafana.net", "defaultProjectId", "99")));
        check(failures, "k6 created", k6.metadata().createdAt()
            .equals(Instant.parse("2026-01-02T03:04:05.006Z")));
        check(failures, "appcircle secret", appcircle.secret().sameAs(apiSecret));
        check(failures, "appcircle key name",
            "kat-key".equals(appcircle.metadata().keyName()));
        check(failures, "appcircle previous",
            appcircle.previousSecret().map(p -> p.sameAs(previous)).orElse(false));
        check(failures, "appcircle rotated", Instant.parse("2026-03-04T05:06:07.008Z")
            .equals(appcircle.metadata().rotatedAt()));
        assertEquals(List.of(), failures);
      }
    }
  }

  @Test
  void damagedVariants_failWithTheRightException() throws Exception {
    List<String> failures = new ArrayList<>();
    expect(failures, "wrong passphrase", vector, "known-answer passphrase ✗",
        AuthenticationException.class);
    byte[] flippedPayload = vector.clone();
    flippedPayload[200] ^= 0x10;
    expect(failures, "flipped payload byte", flippedPayload, passphrase, IntegrityException.class);
    byte[] flippedHeader = vector.clone();
    flippedHeader[22] ^= 0x01;
    expect(failures, "flipped salt byte", flippedHeader, passphrase, IntegrityException.class);
    expect(failures, "truncated", Arrays.copyOf(vector, vector.length - 1), passphrase,
        IntegrityException.class);
    expect(failures, "empty", new byte[0], passphrase, IntegrityException.class);
    byte[] future = vector.clone();
    future[9] = 2;
    expect(failures, "format version 2", future, passphrase, IntegrityException.class);
    assertEquals(List.of(), failures);
  }

  private void expect(List<String> failures, String variant, byte[] bytes, String pass,
      Class<? extends Exception> expected) throws Exception {
    Path file = place(bytes);
    try (FileCredentialStore store = TestStores.open(file, pass)) {
      store.list();
      failures.add(variant + ": accepted");
    } catch (Exception e) {
      if (!expected.isInstance(e)) {
        failures.add(variant + ": " + e.getClass().getSimpleName() + " instead of "
            + expected.getSimpleName());
      }
    }
  }

  private static void check(List<String> failures, String what, boolean ok) {
    if (!ok) {
      failures.add(what);
    }
  }

  private Path place(byte[] bytes) throws Exception {
    Path file = Files.createTempFile(directory, "vector", ".cstore");
    Files.write(file, bytes);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  private static byte[] resource(String name) throws Exception {
    try (InputStream in = KnownAnswerTest.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + name);
      }
      return in.readAllBytes();
    }
  }
}
