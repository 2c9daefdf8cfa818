package dev.credstore.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PassphraseSourceTest {

  @TempDir Path dir;

  @Test
  void environment_emptyValueCountsAsAbsent() throws Exception {
    assertTrue(PassphraseSource.fromEnvironment(Map.of("CREDSTORE_PASSPHRASE", ""))
        .passphrase(PassphraseSource.Purpose.UNLOCK, "x").isEmpty());
    try (Secret s = PassphraseSource.fromEnvironment(Map.of("CREDSTORE_PASSPHRASE", "pw"))
        .passphrase(PassphraseSource.Purpose.UNLOCK, "x").orElseThrow()) {
      assertArrayEquals("pw".toCharArray(), s.revealChars());
    }
  }

  @Test
  void file_readsFirstLineWithoutLineEnding() throws Exception {
    Path file = dir.resolve("pass");
    Files.writeString(file, "correct horse battery\r\nsecond line\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    try (Secret s = PassphraseSource.fromFile(file)
        .passphrase(PassphraseSource.Purpose.UNLOCK, "x").orElseThrow()) {
      assertArrayEquals("correct horse battery".toCharArray(), s.revealChars());
    }
  }

  @Test
  void file_readableByOthers_isRefused() throws Exception {
    Path file = dir.resolve("pass");
    Files.writeString(file, "pw\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    AuthenticationException e = assertThrows(AuthenticationException.class,
        () -> PassphraseSource.fromFile(file).passphrase(PassphraseSource.Purpose.UNLOCK, "x"));
    assertTrue(e.getMessage().contains("chmod 600"), e.getMessage());
  }

  @Test
  void file_missingOrEmpty_isAnAuthenticationError() throws Exception {
    assertThrows(AuthenticationException.class, () -> PassphraseSource.fromFile(dir.resolve("nope"))
        .passphrase(PassphraseSource.Purpose.UNLOCK, "x"));
    Path empty = dir.resolve("empty");
    Files.writeString(empty, "\n");
    Files.setPosixFilePermissions(empty, PosixFilePermissions.fromString("rw-------"));
    assertThrows(AuthenticationException.class,
        () -> PassphraseSource.fromFile(empty).passphrase(PassphraseSource.Purpose.UNLOCK, "x"));
  }

  @Test
  void firstOf_returnsFirstAnswer() throws Exception {
    PassphraseSource chain = PassphraseSource.firstOf(PassphraseSource.none(),
        PassphraseSource.fromEnvironment(Map.of("CREDSTORE_PASSPHRASE", "second")));
    try (Secret s = chain.passphrase(PassphraseSource.Purpose.UNLOCK, "x").orElseThrow()) {
      assertArrayEquals("second".toCharArray(), s.revealChars());
    }
  }
}
