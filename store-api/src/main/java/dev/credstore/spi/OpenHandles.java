package dev.credstore.spi;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

/**
 * The attributes of the file an open channel reads, an fstat where Java has none: Linux lists a
 * process's open descriptors in {@code /proc/self/fd} (each a link to the open file, which a stat
 * follows) with their offsets in {@code /proc/self/fdinfo}. The channel is told apart from every
 * other descriptor by moving it to a random offset for the look-up.
 */
final class OpenHandles {

  private static final Path FD = Path.of("/proc/self/fd");
  private static final Path FD_INFO = Path.of("/proc/self/fdinfo");
  private static final SecureRandom RANDOM = new SecureRandom();

  private OpenHandles() {}

  /** The open file's attributes, or null where the platform cannot tell (no /proc). */
  static FileAttributes attributes(FileChannel channel) throws IOException {
    if (!Files.isDirectory(FD_INFO)) {
      return null;
    }
    long marker = (1L << 40) + (RANDOM.nextLong() >>> 24);
    long saved = channel.position();
    channel.position(marker);
    try (DirectoryStream<Path> descriptors = Files.newDirectoryStream(FD_INFO)) {
      String wanted = "pos:\t" + marker;
      for (Path info : descriptors) {
        String text;
        try {
          text = Files.readString(info, StandardCharsets.US_ASCII);
        } catch (IOException closedMeanwhile) {
          continue;
        }
        if (text.lines().anyMatch(wanted::equals)) {
          // A stat through /proc/self/fd/N follows the link to the file the descriptor holds.
          return FileAttributes.read(FD.resolve(info.getFileName()));
        }
      }
      return null;
    } finally {
      channel.position(saved);
    }
  }
}
