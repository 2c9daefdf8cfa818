package dev.credstore.cli.process;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MaskingCopyTest {

  /** Hands out at most {@code step} chars per read, so matches straddle reads. */
  private static final class Trickle extends Reader {
    private final StringReader source;
    private final int step;

    Trickle(String text, int step) {
      this.source = new StringReader(text);
      this.step = step;
    }

    @Override
    public int read(char[] buffer, int offset, int length) throws IOException {
      return source.read(buffer, offset, Math.min(length, step));
    }

    @Override
    public void close() {
      source.close();
    }
  }

  private static String masked(String text, String secret, int step) throws IOException {
    StringWriter out = new StringWriter();
    MaskingCopy.copy(new Trickle(text, step), out, secret.toCharArray());
    return out.toString();
  }

  @Test
  void everyOccurrence_isMasked_whateverTheReadSizes() throws IOException {
    String text = "token: tok-123\nagain tok-123tok-123 and tok-12 is not it\ntok-123";
    String expected = "token: ****\nagain ******** and tok-12 is not it\n****";
    for (int step = 1; step <= text.length(); step++) {
      assertEquals(expected, masked(text, "tok-123", step), "reads of " + step + " chars");
    }
  }

  @Test
  void textWithoutTheSecret_passesThroughUnchanged_includingAPrefixAtTheEnd() throws IOException {
    assertEquals("all fine\ntok-12", masked("all fine\ntok-12", "tok-123", 3));
    assertEquals("", masked("", "tok-123", 3));
  }

  @Test
  void overlappingCandidates_areFound() throws IOException {
    assertEquals("****ab", masked("aaab", "aa", 1), "left to right, without overlap");
    assertEquals("x****y", masked("xababcy", "ababc", 2));
  }
}
