package dev.credstore.cli.migrate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * Atomic, durable file replacement for the files {@code migrate} writes: a tool's config file
 * (keeping its permissions, owner and group) and credstore's own private state file. store-file's
 * {@code SecureFiles} does the same for the store, but is private to that module and always makes
 * files 0600; a tool's config must keep the mode its owner chose.
 */
final class AtomicFiles {

  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = EnumSet.of(
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_EXECUTE);
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /**
   * Replaces {@code file} with {@code content}: writes a temporary file beside it (created
   * exclusively, never through a link), gives it the original's owner, group and permissions,
   * forces it to disk, checks that {@code file} still holds exactly {@code expected} (so that a
   * concurrent write by the tool is never lost), renames it over {@code file} and forces the
   * directory. On any failure the temporary file is removed and {@code file} is untouched.
   */
  static void replaceKeepingOwnership(Path file, byte[] expected, byte[] content)
      throws IOException {
    Path directory = file.toAbsolutePath().getParent();
    PosixFileAttributes original =
        Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!original.isRegularFile()) {
      throw new FileSystemException(file.toString(), null, "no longer a regular file");
    }
    Path temp = temporarySibling(file);
    boolean renamed = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, createNew(),
          PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
        write(channel, content);
        PosixFileAttributeView view = Files.getFileAttributeView(temp,
            PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        PosixFileAttributes created = view.readAttributes();
        try {
          if (!created.owner().equals(original.owner())) {
            view.setOwner(original.owner());
          }
          if (!created.group().equals(original.group())) {
            view.setGroup(original.group());
          }
        } catch (IOException e) {
          FileSystemException refused = new FileSystemException(file.toString(), null,
              "cannot keep its owner " + original.owner().getName() + " and group "
                  + original.group().getName() + " (run as its owner or root)");
          refused.initCause(e);
          throw refused;
        }
        // After chown, which may clear mode bits.
        view.setPermissions(original.permissions());
        channel.force(true);
      }
      byte[] now = Files.readAllBytes(file);
      if (Files.isSymbolicLink(file) || !MessageDigest.isEqual(now, expected)) {
        throw new FileSystemException(file.toString(), null,
            "it changed while credstore was migrating it");
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      renamed = true;
      forceDirectory(directory);
    } finally {
      if (!renamed) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * Writes {@code content} to {@code file} with mode 0600, creating its directory with mode 0700
   * when missing; atomic and durable as above.
   */
  static void writePrivate(Path file, byte[] content) throws IOException {
    Path directory = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(directory,
          PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
      Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
    }
    if (Files.isSymbolicLink(file)) {
      throw new FileSystemException(file.toString(), null, "is a symbolic link");
    }
    Path temp = temporarySibling(file);
    boolean renamed = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, createNew(),
          PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
        write(channel, content);
        channel.force(true);
      }
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
      renamed = true;
      forceDirectory(directory);
    } finally {
      if (!renamed) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /** ".NAME.credstore-RANDOM.tmp" beside {@code file}: same directory, so rename is atomic. */
  static Path temporarySibling(Path file) {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    return file.toAbsolutePath().resolveSibling(
        "." + file.getFileName() + ".credstore-" + HexFormat.of().formatHex(random) + ".tmp");
  }

  private static Set<OpenOption> createNew() {
    return Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        LinkOption.NOFOLLOW_LINKS);
  }

  private static void write(FileChannel channel, byte[] content) throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(content);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  // Makes the rename durable; a platform that cannot open directories gets what it offers.
  private static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Nothing more to do: the rename has happened.
    }
  }
}
