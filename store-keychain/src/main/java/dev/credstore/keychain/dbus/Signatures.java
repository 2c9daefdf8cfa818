package dev.credstore.keychain.dbus;

/** D-Bus type signatures: validation and splitting into complete types, per the specification. */
final class Signatures {

  static final int MAX_LENGTH = 255;
  static final int MAX_ARRAY_DEPTH = 32;
  static final int MAX_STRUCT_DEPTH = 32;
  private static final String BASIC = "ybnqiuxtdhsog";

  private Signatures() {}

  /** Checks a whole signature (zero or more complete types). */
  static void check(String signature) throws MalformedMessageException {
    if (signature.length() > MAX_LENGTH) {
      throw new MalformedMessageException("D-Bus signature longer than " + MAX_LENGTH);
    }
    int i = 0;
    while (i < signature.length()) {
      i = end(signature, i, 0, 0);
    }
  }

  /** Checks a signature that must be exactly one complete type (a variant's). */
  static void checkSingle(String signature) throws MalformedMessageException {
    check(signature);
    if (signature.isEmpty() || end(signature, 0, 0, 0) != signature.length()) {
      throw new MalformedMessageException("D-Bus variant signature is not one complete type");
    }
  }

  /** Index just past the complete type starting at {@code start}. */
  static int end(String sig, int start, int arrays, int structs) throws MalformedMessageException {
    if (start >= sig.length()) {
      throw new MalformedMessageException("D-Bus signature ends inside a type");
    }
    char c = sig.charAt(start);
    if (BASIC.indexOf(c) >= 0 || c == 'v') {
      return start + 1;
    }
    switch (c) {
      case 'a' -> {
        if (arrays + 1 > MAX_ARRAY_DEPTH) {
          throw new MalformedMessageException("D-Bus signature nests arrays too deeply");
        }
        if (start + 1 < sig.length() && sig.charAt(start + 1) == '{') {
          if (structs + 1 > MAX_STRUCT_DEPTH) {
            throw new MalformedMessageException("D-Bus signature nests structs too deeply");
          }
          int key = start + 2;
          if (key >= sig.length() || BASIC.indexOf(sig.charAt(key)) < 0) {
            throw new MalformedMessageException("D-Bus dict entry key is not a basic type");
          }
          int value = end(sig, key + 1, arrays + 1, structs + 1);
          if (value >= sig.length() || sig.charAt(value) != '}') {
            throw new MalformedMessageException("D-Bus dict entry does not hold exactly two types");
          }
          return value + 1;
        }
        return end(sig, start + 1, arrays + 1, structs);
      }
      case '(' -> {
        if (structs + 1 > MAX_STRUCT_DEPTH) {
          throw new MalformedMessageException("D-Bus signature nests structs too deeply");
        }
        int i = start + 1;
        if (i < sig.length() && sig.charAt(i) == ')') {
          throw new MalformedMessageException("D-Bus signature has an empty struct");
        }
        while (i < sig.length() && sig.charAt(i) != ')') {
          i = end(sig, i, arrays, structs + 1);
        }
        if (i >= sig.length()) {
          throw new MalformedMessageException("D-Bus signature has an unclosed struct");
        }
        return i + 1;
      }
      default -> throw new MalformedMessageException("D-Bus signature has invalid type code '"
          + (c >= 0x21 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c)) + "'");
    }
  }

  /** Alignment of values of the type starting at {@code sig.charAt(i)}. */
  static int alignment(char c) {
    return switch (c) {
      case 'y', 'g', 'v' -> 1;
      case 'n', 'q' -> 2;
      case 'b', 'i', 'u', 'h', 's', 'o', 'a' -> 4;
      default -> 8; // x t d ( {
    };
  }
}
