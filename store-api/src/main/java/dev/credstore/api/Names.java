package dev.credstore.api;

/** Validation shared by ids, key names and attributes; messages quote only non-secret values. */
final class Names {

  private Names() {}

  static void check(String what, String value, int maxLength) {
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

  static void checkPrintable(String what, String value) {
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
}
