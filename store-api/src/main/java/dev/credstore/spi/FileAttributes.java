package dev.credstore.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the privacy verdict looks at, read without following a link (or through an open handle).
 */
final class FileAttributes {

  private static final int STICKY = 01000;

  final boolean symbolicLink;
  final boolean directory;
  final boolean regularFile;
  final boolean posix;
  final int mode;
  final int uid;
  final String ownerName;

  private FileAttributes(boolean symbolicLink, boolean directory, boolean regularFile,
      boolean posix, int mode, int uid, String ownerName) {
    this.symbolicLink = symbolicLink;
    this.directory = directory;
    this.regularFile = regularFile;
    this.posix = posix;
    this.mode = mode;
    this.uid = uid;
    this.ownerName = ownerName;
  }

  /** The attributes of {@code path} itself (a link is not followed), or null if absent. */
  static FileAttributes of(Path path) throws IOException {
    return read(path, LinkOption.NOFOLLOW_LINKS);
  }

  static FileAttributes read(Path path, LinkOption... options) throws IOException {
    try {
      Map<String, Object> unix =
          Files.readAttributes(path, "unix:mode,uid,isSymbolicLink,isDirectory,isRegularFile",
              options);
      return new FileAttributes((Boolean) unix.get("isSymbolicLink"),
          (Boolean) unix.get("isDirectory"), (Boolean) unix.get("isRegularFile"), true,
          (Integer) unix.get("mode"), (Integer) unix.get("uid"), null);
    } catch (NoSuchFileException absent) {
      return null;
    } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
      try {
        var basic = Files.readAttributes(path,
            java.nio.file.attribute.BasicFileAttributes.class, options);
        return new FileAttributes(basic.isSymbolicLink(), basic.isDirectory(),
            basic.isRegularFile(), false, 0, -1, null);
      } catch (NoSuchFileException absent) {
        return null;
      }
    }
  }

  boolean ownedByUs() {
    return EffectiveUser.owns(uid);
  }

  String ownerText() {
    return "uid " + uid;
  }

  String modeText() {
    StringBuilder text = new StringBuilder(9);
    String letters = "rwxrwxrwx";
    for (int bit = 0; bit < 9; bit++) {
      boolean set = (mode & (0400 >> bit)) != 0;
      char letter = set ? letters.charAt(bit) : '-';
      if (bit == 8 && (mode & STICKY) != 0) {
        letter = set ? 't' : 'T';
      }
      text.append(letter);
    }
    return text.toString();
  }
}
