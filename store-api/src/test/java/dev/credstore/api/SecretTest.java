package dev.credstore.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SecretTest {

  @Test
  void toString_neverShowsTheValue() {
    try (Secret secret = Secret.of("hunter2-very-secret")) {
      assertEquals("Secret[redacted]", secret.toString());
      assertFalse(String.valueOf(secret).contains("hunter2"));
    }
  }

  @Test
  void of_copiesInput_soZeroingTheCallerBufferKeepsTheSecret() {
    char[] input = "abc".toCharArray();
    try (Secret secret = Secret.of(input)) {
      Arrays.fill(input, '\0');
      assertArrayEquals("abc".toCharArray(), secret.revealChars());
    }
  }

  @Test
  void reveal_returnsFreshCopies() {
    try (Secret secret = Secret.of("abc")) {
      char[] first = secret.revealChars();
      first[0] = 'X';
      assertArrayEquals("abc".toCharArray(), secret.revealChars());
      assertNotSame(secret.revealChars(), secret.revealChars());
    }
  }

  @Test
  void close_zeroesAndForbidsUse() {
    Secret secret = Secret.of("abc");
    secret.close();
    assertTrue(secret.isClosed());
    assertThrows(IllegalStateException.class, secret::revealChars);
    assertThrows(IllegalStateException.class, secret::revealUtf8);
    secret.close();
  }

  @Test
  void utf8_roundTripsNonAscii() {
    String value = "päss🔑山";
    try (Secret secret = Secret.fromUtf8(value.getBytes(StandardCharsets.UTF_8))) {
      assertArrayEquals(value.toCharArray(), secret.revealChars());
      assertArrayEquals(value.getBytes(StandardCharsets.UTF_8), secret.revealUtf8());
    }
  }

  @Test
  void fromUtf8_rejectsMalformedBytes_withoutEchoingThem() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Secret.fromUtf8(new byte[] {'o', 'k', (byte) 0xC3}));
    assertFalse(e.getMessage().contains("ok"));
  }

  @Test
  void sameAs_comparesContent() {
    try (Secret a = Secret.of("token"); Secret b = Secret.of("token");
        Secret c = Secret.of("tokeN"); Secret d = Secret.of("token-longer")) {
      assertTrue(a.sameAs(b));
      assertFalse(a.sameAs(c));
      assertFalse(a.sameAs(d));
      assertFalse(a.equals(b), "identity equality only: no content equals");
    }
  }

  @Test
  void isBlank_detectsEmptyAndWhitespace() {
    try (Secret empty = Secret.of(""); Secret spaces = Secret.of(" \t\n"); Secret x = Secret.of(" x ")) {
      assertTrue(empty.isBlank());
      assertTrue(spaces.isBlank());
      assertFalse(x.isBlank());
    }
  }

  @Test
  void tooLong_isRefused_withoutTheValueInTheMessage() {
    String huge = "y".repeat(Secret.MAX_LENGTH + 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Secret.of(huge));
    assertFalse(e.getMessage().contains("yyyy"));
  }
}
