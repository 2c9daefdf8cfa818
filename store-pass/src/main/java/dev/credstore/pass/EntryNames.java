package dev.credstore.pass;

import dev.credstore.api.CredentialId;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Service and account names as path components of {@code credstore/<service>/<account>}. Names are
 * kept readable ({@code k6/default}, {@code José Müller}); only what could change the path is
 * percent-encoded as UTF-8: {@code /}, {@code \}, {@code %}, and a leading {@code .} (so no name is
 * {@code .}, {@code ..}, {@code .git} or {@code .gpg-id}). Ids already exclude control characters.
 * Decoding accepts only the canonical encoding, so two files never name one credential.
 */
final class EntryNames {

  /** Longest file name component on common file systems, in bytes. */
  static final int MAX_COMPONENT_BYTES = 255;
  static final String SUFFIX = ".gpg";

  private EntryNames() {}

  static String encode(String name) {
    StringBuilder encoded = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); ) {
      int c = name.codePointAt(i);
      if (c == '/' || c == '\\' || c == '%' || i == 0 && c == '.') {
        for (byte b : new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8)) {
          encoded.append('%').append(Character.toUpperCase(Character.forDigit((b >> 4) & 0xF, 16)))
              .append(Character.toUpperCase(Character.forDigit(b & 0xF, 16)));
        }
      } else {
        encoded.appendCodePoint(c);
      }
      i += Character.charCount(c);
    }
    return encoded.toString();
  }

  /** The name {@code component} encodes, or null if it is not a canonical encoding. */
  static String decode(String component) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(component.length());
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      if (c == '%') {
        if (i + 2 >= component.length()) {
          return null;
        }
        int high = Character.digit(component.charAt(i + 1), 16);
        int low = Character.digit(component.charAt(i + 2), 16);
        if (high < 0 || low < 0) {
          return null;
        }
        bytes.write(high << 4 | low);
        i += 2;
      } else {
        byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        if (Character.isHighSurrogate(c) && i + 1 < component.length()) {
          utf8 = component.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
          i++;
        }
        bytes.writeBytes(utf8);
      }
    }
    String decoded = bytes.toString(StandardCharsets.UTF_8);
    return encode(decoded).equals(component) ? decoded : null;
  }

  /** {@code credstore/<service>/<account>}: the pass name of {@code id}. */
  static String entryName(CredentialId id) {
    return PassStore.ROOT + "/" + encode(id.service()) + "/" + encode(id.account());
  }

  /** Whether both components fit in a file name. */
  static boolean fits(CredentialId id) {
    return bytes(encode(id.service())) <= MAX_COMPONENT_BYTES
        && bytes(encode(id.account()) + SUFFIX) <= MAX_COMPONENT_BYTES;
  }

  private static int bytes(String component) {
    return component.getBytes(StandardCharsets.UTF_8).length;
  }
}
