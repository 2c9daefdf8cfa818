package dev.credstore.cli.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.api.Secret;
import dev.credstore.cli.output.ExitCodes.UsageException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretInputTest {

  /** Hands out its bytes a few at a time and remembers every buffer it was asked to fill. */
  private static final class RecordingInput extends InputStream {
    private final ByteArrayInputStream source;
    final List<byte[]> buffers = new ArrayList<>();

    RecordingInput(byte[] bytes) {
      source = new ByteArrayInputStream(bytes);
    }

    @Override
    public int read() {
      return source.read();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      buffers.add(buffer);
      return source.read(buffer, offset, Math.min(length, 7));
    }
  }

  private static String read(String input) {
    try (Secret secret = SecretInput.readLine(
        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), "the token")) {
      return new String(secret.revealChars());
    }
  }

  @Test
  void readLine_stripsNewlineAndCarriageReturn() {
    assertEquals("tok", read("tok\n"));
    assertEquals("tok", read("tok\r\n"));
    assertEquals("tok", read("tok"));
    assertEquals("", read(""));
  }

  @Test
  void readLine_keepsOnlyTheFirstLine_andInnerSpaces() {
    assertEquals(" a b ", read(" a b \nsecond\n"));
  }

  @Test
  void readLine_decodesUtf8() {
    assertEquals("p\u00e4ss\u2713\ud83d\udd11", read("p\u00e4ss\u2713\ud83d\udd11\n"));
  }

  @Test
  void readLine_invalidUtf8_isAUsageError() {
    UsageException e = assertThrows(UsageException.class, () -> SecretInput.readLine(
        new ByteArrayInputStream(new byte[] {'a', (byte) 0xff, '\n'}), "the token"));
    assertEquals("the token on standard input is not valid UTF-8", e.getMessage());
  }

  @Test
  void readLine_tooLong_isAUsageError() {
    byte[] huge = new byte[SecretInput.MAX_LINE_BYTES + 10];
    java.util.Arrays.fill(huge, (byte) 'a');
    assertThrows(UsageException.class,
        () -> SecretInput.readLine(new ByteArrayInputStream(huge), "the token"));
  }

  @Test
  void readLine_zeroesEveryBufferItFilled() {
    StringBuilder longLine = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      longLine.append("abc");
    }
    RecordingInput input = new RecordingInput(
        (longLine + "\nrest of input").getBytes(StandardCharsets.UTF_8));
    try (Secret secret = SecretInput.readLine(input, "the token")) {
      assertEquals(900, secret.length());
    }
    assertTrue(input.buffers.size() > 1);
    for (byte[] buffer : input.buffers) {
      assertArrayEquals(new byte[buffer.length], buffer);
    }
  }

  @Test
  void prompt_zeroesTheTypedChars() {
    char[] typed = "typed-secret".toCharArray();
    try (Secret secret = SecretInput.prompt(typing(typed), "Token: ")) {
      assertEquals(12, secret.length());
    }
    assertArrayEquals(new char[12], typed);
  }

  /** A terminal at which {@code typed} is typed, once per prompt (the same array each time). */
  private static Terminal typing(char[] typed) {
    return new Terminal() {
      @Override
      public boolean isPresent() {
        return true;
      }

      @Override
      public char[] readPassword(String prompt) {
        return typed;
      }
    };
  }

  private static String readAll(String input, boolean multiline) {
    try (Secret secret = SecretInput.readAll(
        new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), "the token", multiline)) {
      return new String(secret.revealChars());
    }
  }

  @Test
  void readAll_takesAllOfTheInput_lessOneTrailingLineBreak() {
    assertEquals("tok", readAll("tok\n", false));
    assertEquals("tok", readAll("tok\r\n", false));
    assertEquals("tok", readAll("tok", false));
    assertEquals("tok\twith tab ", readAll("tok\twith tab \n", false));
    assertEquals("line1\nline2", readAll("line1\nline2\n", true));
    assertEquals("-----BEGIN-----\r\nkey\r\n-----END-----",
        readAll("-----BEGIN-----\r\nkey\r\n-----END-----\r\n", true));
  }

  @Test
  void readAll_refusesALineBreakInside_unlessMultiline_namingThePositionOnly() {
    UsageException e = assertThrows(UsageException.class,
        () -> readAll("line1\nline2\n", false));
    assertTrue(e.getMessage().contains("line break at character 6"), e.getMessage());
    assertTrue(e.getMessage().contains("--multiline"), e.getMessage());
    assertFalse(e.getMessage().contains("line1") || e.getMessage().contains("line2"),
        e.getMessage());
    assertThrows(UsageException.class, () -> readAll("tok\n\n", false), "two trailing breaks");
  }

  @Test
  void controlCharacters_areRefusedWherever_withTheirPositionNeverTheSecret() {
    for (String input : new String[] {"SECRET-a\0b", "SECRET-a\u001bb", "SECRET-a\u007fb"}) {
      for (boolean multiline : new boolean[] {false, true}) {
        UsageException e = assertThrows(UsageException.class, () -> readAll(input, multiline));
        assertTrue(e.getMessage().contains("control character at character 9"), e.getMessage());
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
      }
    }
  }

  @Test
  void prompt_refusesControlCharacters() {
    Terminal terminal = typing("typed\0secret".toCharArray());
    UsageException e = assertThrows(UsageException.class,
        () -> SecretInput.prompt(terminal, "Token: "));
    assertTrue(e.getMessage().contains("at character 6"), e.getMessage());
  }
}
