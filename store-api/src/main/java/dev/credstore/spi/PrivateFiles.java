package dev.credstore.spi;

import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
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
 * The one implementation of credstore's files that must stay private: the verdict on whether a
 * file or directory is private and ours, private files and directories, and atomic, durable
 * replacement. Every backend, the CLI's own files and {@code doctor} use it, so they agree.
 *
 * <p>A file is private when it is a regular file (not a link) owned by the effective user with no
 * group or other permission bits, in a directory (not a link) owned by the effective user with no
 * group or other bits, below ancestors each owned by root or the user and writable by neither group
 * nor others. A root-owned sticky directory such as {@code /tmp} ends the walk up: nobody else can
 * replace the user's entries in it. A symbolic link among the ancestors is allowed when root or the
 * user owns it; its target is then judged the same way. On a file system without POSIX attributes
 * only the link and file-type rules apply (the platform's ACLs guard the rest).
 *
 * <p>Thread-safe: stateless.
 */
public final class PrivateFiles {

  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = EnumSet.of(
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_EXECUTE);

  private PrivateFiles() {}

  // ---------------------------------------------------------------------------------------------
  // The verdict

  /**
   * Judges an existing file: itself, its directory and the directory's ancestors. A missing file
   * is not private (callers that accept absence check for it first).
   */
  public static PrivacyVerdict check(Path file) {
    return PrivacyRules.check(file);
  }

  /** Judges a directory that holds private files: itself and its ancestors. */
  public static PrivacyVerdict checkDirectory(Path directory) {
    return PrivacyRules.checkDirectory(directory);
  }

  // ---------------------------------------------------------------------------------------------
  // Private files and directories

  /**
   * Creates {@code directory} and missing parents with mode 0700, then requires the verdict
   * {@link #checkDirectory} to be private.
   *
   * @throws StorageException if it cannot be created or is not private (with the fix)
   */
  public static void ensureDirectory(Path directory) throws StorageException {
    try {
      if (!Files.exists(directory, LinkOption.NOFOLLOW_LINKS)) {
        if (isPosix(directory)) {
          Files.createDirectories(directory,
              PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
          // createDirectories applies the umask; set the mode explicitly.
          Files.setPosixFilePermissions(directory, OWNER_ONLY_DIRECTORY);
        } else {
          Files.createDirectories(directory);
        }
      }
    } catch (FileAlreadyExistsException raced) {
      // Another process created it first; the verdict below judges it.
    } catch (IOException e) {
      throw storageError("cannot create directory " + directory, e);
    }
    checkDirectory(directory).require();
  }

  /**
   * Creates an empty {@code file} with mode 0600 unless it exists (never through a link), then
   * requires it to be private.
   */
  public static void ensureFile(Path file) throws StorageException {
    try {
      Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
          LinkOption.NOFOLLOW_LINKS), ownerOnly(file)).close();
    } catch (FileAlreadyExistsException exists) {
      // judged below
    } catch (IOException e) {
      throw storageError("cannot create " + file, e);
    }
    check(file).require();
  }

  /**
   * Reads a whole file of at most {@code maxLength} bytes without following a link, or returns
   * null if it is absent. Does not judge privacy: callers that need it check first.
   */
  public static byte[] readIfExists(Path file, int maxLength) throws StorageException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      return readAll(file, channel, maxLength);
    } catch (NoSuchFileException absent) {
      return null;
    } catch (IOException e) {
      throw storageError("cannot read " + file, e);
    }
  }

  /**
   * Opens {@code file} once without following links, judges the file actually opened (its owner,
   * mode and type as the open handle reports them, where the platform tells: Linux's {@code
   * /proc/self/fd}), then its directory, and reads it whole if at most {@code maxLength} bytes.
   * The caller zeroes the result.
   *
   * @throws StorageException if it is absent, not private, too large or unreadable
   */
  public static byte[] readPrivate(Path file, int maxLength) throws StorageException {
    Path absolute = file.toAbsolutePath();
    try (FileChannel channel = FileChannel.open(absolute, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      FileAttributes opened = OpenHandles.attributes(channel);
      if (opened == null) {
        opened = FileAttributes.of(absolute); // no /proc here: the path's, opened without links
      }
      PrivacyRules.checkFileItself(absolute, opened).require();
      checkDirectory(absolute.getParent()).require();
      return readAll(absolute, channel, maxLength);
    } catch (NoSuchFileException absent) {
      throw new StorageException(absolute + " does not exist", absent);
    } catch (FileSystemException e) {
      if (Files.isSymbolicLink(absolute)) { // ELOOP from O_NOFOLLOW
        throw new StorageException(PrivacyVerdict.advise(absolute, "is a symbolic link, which"
            + " credstore does not follow", "point credstore at the real file").message(), e);
      }
      throw storageError("cannot read " + absolute, e);
    } catch (IOException e) {
      throw storageError("cannot read " + absolute, e);
    }
  }

  private static byte[] readAll(Path file, FileChannel channel, int maxLength)
      throws IOException, StorageException {
    long size = channel.size();
    if (size > maxLength) {
      throw new StorageException(file + " is " + size + " bytes, more than the " + maxLength
          + " bytes such a file may have; refusing to read it");
    }
    ByteBuffer buffer = ByteBuffer.allocate((int) size);
    while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
      // keep reading
    }
    if (buffer.hasRemaining()) { // shrank while we read
      byte[] partial = new byte[buffer.position()];
      buffer.flip().get(partial);
      java.util.Arrays.fill(buffer.array(), (byte) 0);
      return partial;
    }
    return buffer.array();
  }

  // ---------------------------------------------------------------------------------------------
  // Atomic replacement

  /**
   * Replaces {@code target} with {@code content} atomically and durably as a 0600 file: writes a
   * temporary file beside it (created exclusively, never through a link), forces it to disk,
   * renames it over the target and forces the directory. A crash at any point leaves the old file
   * or the new one; on failure the temporary file is removed. Callers judge the directory first.
   */
  public static void replace(Path target, byte[] content) throws StorageException {
    try {
      replace(target.toAbsolutePath(), content, null, null);
    } catch (IOException e) {
      throw storageError("cannot write " + target, e);
    }
  }

  /**
   * Replaces a file that someone else may own (a tool's config file) as {@link #replace} does,
   * but the new file keeps the original's owner, group and permissions, and the rename happens only
   * while {@code file} still holds exactly {@code expected}, so a concurrent write is never lost.
   *
   * @throws IOException if nothing was replaced ({@code file} is then exactly as it was)
   */
  public static void replaceKeepingOwner(Path file, byte[] expected, byte[] content)
      throws IOException {
    Path absolute = file.toAbsolutePath();
    PosixFileAttributes original =
        Files.readAttributes(absolute, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!original.isRegularFile()) {
      throw new FileSystemException(file.toString(), null, "no longer a regular file");
    }
    replace(absolute, content, temp -> {
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
      view.setPermissions(original.permissions()); // after chown, which may clear mode bits
    }, () -> requireUnchanged(file, expected));
  }

  /**
   * Returns only while {@code file} is not a link and still holds exactly {@code expected}: the
   * check before a tool's file is replaced or removed, so that a write it made meanwhile wins.
   *
   * @throws IOException if it changed (or cannot be read)
   */
  public static void requireUnchanged(Path file, byte[] expected) throws IOException {
    Path absolute = file.toAbsolutePath();
    byte[] now = Files.readAllBytes(absolute);
    try {
      if (Files.isSymbolicLink(absolute) || !MessageDigest.isEqual(now, expected)) {
        throw new FileSystemException(file.toString(), null,
            "it changed while credstore was migrating it");
      }
    } finally {
      java.util.Arrays.fill(now, (byte) 0);
    }
  }

  /**
   * Deletes temporary files that a writer killed mid-write left beside {@code target}. Only safe
   * while holding the lock that every writer of {@code target} holds while its temp file exists.
   */
  public static void removeStaleTemporaryFiles(Path target) {
    String prefix = "." + target.getFileName() + ".";
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(
        target.toAbsolutePath().getParent(),
        p -> p.getFileName().toString().startsWith(prefix)
            && p.getFileName().toString().endsWith(".tmp"))) {
      for (Path temp : stale) {
        Files.deleteIfExists(temp);
      }
    } catch (IOException ignored) {
      // Leftovers are 0600 files in a private directory; failing to tidy them is not an error.
    }
  }

  @FunctionalInterface
  private interface TempStep {
    void apply(Path temp) throws IOException;
  }

  @FunctionalInterface
  private interface Precondition {
    void check() throws IOException;
  }

  // The one place that renames a file into place.
  private static void replace(Path target, byte[] content, TempStep beforeForce,
      Precondition beforeRename) throws IOException {
    Path directory = target.getParent();
    Path temp = Temporary.sibling(target);
    boolean renamed = false;
    try {
      try (FileChannel channel = FileChannel.open(temp, Set.<OpenOption>of(
          StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
          ownerOnly(directory))) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        if (beforeForce != null) {
          beforeForce.apply(temp);
        }
        channel.force(true);
      }
      if (beforeRename != null) {
        beforeRename.check();
      }
      renameDurably(temp, target);
      renamed = true;
    } finally {
      if (!renamed) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The write already failed; that error is the one to report.
        }
      }
    }
  }

  /**
   * Renames {@code from} to {@code to} in the same directory atomically, replacing {@code to}, and
   * forces the directory so the rename survives a crash (e.g. retiring a file that is no longer
   * used). Neither path is followed if it is a link.
   */
  public static void rename(Path from, Path to) throws StorageException {
    try {
      renameDurably(from.toAbsolutePath(), to.toAbsolutePath());
    } catch (IOException e) {
      throw storageError("cannot rename " + from + " to " + to, e);
    }
  }

  private static void renameDurably(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    forceDirectory(to.getParent());
  }

  // Makes the rename itself durable. Not every platform can open a directory; there the rename
  // is as durable as the file system makes it.
  private static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Windows cannot open directories as channels.
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] ownerOnly(Path near) {
    return isPosix(near)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
        : new FileAttribute<?>[0];
  }

  /** A storage error naming {@code what} failed and the operating system's reason. */
  public static StorageException storageError(String what, IOException e) {
    return new StorageException(what + ": " + reason(e), e);
  }

  static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** ".NAME.credstore-RANDOM.tmp" beside a file: same directory, so the rename is atomic. */
  private static final class Temporary {
    private static final SecureRandom RANDOM = new SecureRandom();

    static Path sibling(Path file) {
      byte[] random = new byte[8];
      RANDOM.nextBytes(random);
      return file.resolveSibling(
          "." + file.getFileName() + ".credstore-" + HexFormat.of().formatHex(random) + ".tmp");
    }
  }

}
