package dev.credstore.spi;

/** Validation shared by ids, key names and attributes; messages quote only non-secret values. */
public final class Names {

  private Names() {}

  public static void check(String what, String value, int maxLength) {
    if (value == null) {
      throw new IllegalArgumentException(what + " must not be null");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    if (value.length() > maxLength) {
      throw new IllegalArgumentException(
          what + " is " + value.length() + " chars, more than the limit of " + maxLength);
    }
    if (!value.strip().equals(value)) {
      throw new IllegalArgumentException(
          what + " '" + value + "' must not start or end with whitespace");
    }
    checkPrintable(what, value);
  }

  /**
   * Whether {@code value} is 1 to {@code maxLength} ASCII characters: first a letter (lower case
   * only unless {@code upperCase}) or one of {@code firstExtra}, then letters, digits or {@code
   * restExtra}. What a regex like {@code [a-z][a-z0-9-]{0,31}} says, without the milliseconds a
   * cold JVM spends compiling one on every command.
   */
  public static boolean isAsciiName(String value, int maxLength, boolean upperCase, String firstExtra,
      String restExtra) {
    if (value == null || value.isEmpty() || value.length() > maxLength) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      boolean letter = c >= 'a' && c <= 'z' || upperCase && c >= 'A' && c <= 'Z';
      boolean allowed = i == 0 ? letter || firstExtra.indexOf(c) >= 0
          : letter || c >= '0' && c <= '9' || restExtra.indexOf(c) >= 0;
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  public static void checkPrintable(String what, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
          || Character.isSurrogate(c) && !validSurrogatePair(value, i)) {
        throw new IllegalArgumentException(
            what + " contains a control or invalid character at index " + i);
      }
      if (Character.isHighSurrogate(c)) {
        i++;
      }
    }
  }

  private static boolean validSurrogatePair(String value, int i) {
    return Character.isHighSurrogate(value.charAt(i))
        && i + 1 < value.length()
        && Character.isLowSurrogate(value.charAt(i + 1));
  }

  /** An attribute name: a letter, then letters, digits, '.', '_' or '-', at most 64 chars. */
  public static boolean isAttributeName(String name) {
    return isAsciiName(name, 64, true, "", "._-");
  }
}
