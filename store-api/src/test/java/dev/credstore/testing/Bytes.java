package dev.credstore.testing;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/** Byte searches for the leak checks that scan files and outputs for a secret. */
public final class Bytes {

  private Bytes() {}

  /** Whether {@code needle} occurs anywhere in {@code haystack}. */
  public static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /**
   * The regular files under {@code root} (none under {@code skip}, which may be null) changed at
   * or after {@code since} (epoch ms) and under 64 MiB, once for each of {@code secrets} they hold.
   * Files and directories that cannot be read are passed over.
   */
  public static List<String> filesHolding(Path root, Path skip, long since, byte[]... secrets)
      throws IOException {
    List<String> found = new ArrayList<>();
    if (!Files.isDirectory(root)) {
      return found;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) {
        return dir.equals(skip) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
        if (attributes.isRegularFile() && attributes.lastModifiedTime().toMillis() >= since
            && attributes.size() < 64L << 20) {
          byte[] bytes = readOrEmpty(file);
          for (byte[] secret : secrets) {
            if (contains(bytes, secret)) {
              found.add(file.toString());
            }
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) {
        return FileVisitResult.CONTINUE;
      }
    });
    return found;
  }

  /** The bytes of {@code file}, or none if it cannot be read (gone, or closed to us). */
  public static byte[] readOrEmpty(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException | RuntimeException e) {
      return new byte[0];
    }
  }
}
