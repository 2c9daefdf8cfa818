package dev.credstore.keychain.dbus;

/** The D-Bus object path syntax: "/" or "/"-separated non-empty elements of [A-Za-z0-9_]. */
final class ObjectPaths {
  private ObjectPaths() {}

  static boolean valid(String path) {
    if (path.equals("/")) {
      return true;
    }
    if (!path.startsWith("/") || path.endsWith("/")) {
      return false;
    }
    char previous = '/';
    for (int i = 1; i < path.length(); i++) {
      char c = path.charAt(i);
      boolean word = c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '_';
      if (c == '/' ? previous == '/' : !word) {
        return false;
      }
      previous = c;
    }
    return true;
  }
}
