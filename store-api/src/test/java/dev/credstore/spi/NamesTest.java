package dev.credstore.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credstore.api.CredentialMetadata;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Names#isAsciiName} says exactly what the regexes it replaced said. */
class NamesTest {

  private static final String ALPHABET = "azAZmM09_-.:é $\u0000\n";

  private record Rule(Pattern regex, int maxLength, boolean upperCase, String firstExtra,
      String restExtra) {
    boolean fast(String value) {
      return Names.isAsciiName(value, maxLength, upperCase, firstExtra, restExtra);
    }
  }

  private static final List<Rule> RULES = List.of(
      new Rule(Pattern.compile("[a-z][a-z0-9-]{0,31}"), 32, false, "", "-"),
      new Rule(Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}"), 128, true, "_", "_"),
      new Rule(Pattern.compile("[A-Za-z][A-Za-z0-9._-]{0,63}"), 64, true, "", "._-"));

  @Test
  void agreesWithTheRegex_onRandomAndEdgeStrings() {
    Random random = new Random(42);
    for (Rule rule : RULES) {
      for (String edge : List.of("", "a", "A", "_", "-", "0", "a".repeat(rule.maxLength()),
          "a".repeat(rule.maxLength() + 1), "a-b", "A_B", "a.b", "k6", "K6_CLOUD_TOKEN")) {
        assertEquals(rule.regex().matcher(edge).matches(), rule.fast(edge), rule + ": " + edge);
      }
      for (int i = 0; i < 20_000; i++) {
        StringBuilder value = new StringBuilder();
        int length = random.nextInt(rule.maxLength() + 3);
        for (int j = 0; j < length; j++) {
          value.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        String s = value.toString();
        assertEquals(rule.regex().matcher(s).matches(), rule.fast(s), rule + ": " + s);
      }
    }
  }

  @Test
  void attributeNames_followTheDocumentedRule() {
    assertEquals(true, Names.isAttributeName("stackID"));
    assertEquals(false, Names.isAttributeName(null));
    assertEquals(false, Names.isAttributeName("1st"));
  }
}
