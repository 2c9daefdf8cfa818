package dev.credstore.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The effective user id, which decides what "ours" means. */
final class EffectiveUser {
  private static final int UID = read();

  private EffectiveUser() {}

  static boolean owns(int uid) {
    return UID >= 0 ? uid == UID : uid == fallbackUid();
  }

  static String describe() {
    return "uid " + (UID >= 0 ? UID : fallbackUid());
  }

  // Linux: the second field of "Uid:" in /proc/self/status is the effective id.
  private static int read() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"),
          StandardCharsets.US_ASCII)) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException notLinux) {
      // fall back below
    }
    return -1;
  }

  // Elsewhere (macOS): the owner of the user's home directory, which is the user.
  private static int fallbackUid() {
    try {
      Object uid = Files.getAttribute(Path.of(System.getProperty("user.home")), "unix:uid");
      return (Integer) uid;
    } catch (IOException | RuntimeException e) {
      return -2;
    }
  }
}
