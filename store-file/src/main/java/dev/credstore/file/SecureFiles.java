package dev.credstore.file;

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
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.UUID;

/**
 * File operations for files that hold secrets: private directories and files, refusal of loose
 * permissions and symbolic links, and atomic, durable replacement.
 */
final class SecureFiles {

  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = EnumSet.of(
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_EXECUTE);
  private static final int STICKY_BIT = 01000;

  private SecureFiles() {}

  static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Creates {@code directory} and missing parents with mode 0700, or checks that an existing one
   * is a real directory that other users cannot write into.
   */
  static void ensurePrivateDirectory(Path directory) throws StorageException {
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
      checkDirectory(directory);
    } catch (IOException e) {
      throw storageError("cannot create directory " + directory, e);
    }
  }

  /** Refuses a directory that is not a directory, or that others may write into without sticky. */
  static void checkDirectory(Path directory) throws StorageException {
    if (!Files.isDirectory(directory)) {
      throw new StorageException(directory + " is not a directory");
    }
    int mode;
    try {
      mode = (Integer) Files.getAttribute(directory, "unix:mode");
    } catch (UnsupportedOperationException | IllegalArgumentException noUnixView) {
      return; // Not Linux/macOS: rely on the platform's ACLs.
    } catch (IOException e) {
      throw storageError("cannot inspect directory " + directory, e);
    }
    boolean othersMayWrite = (mode & 0022) != 0;
    if (othersMayWrite && (mode & STICKY_BIT) == 0) {
      throw new StorageException("directory " + directory
          + " is writable by other users, who could replace the store; run: chmod 700 "
          + directory);
    }
  }

  /**
   * Refuses a store file that is a symbolic link, not a regular file, or readable or writable by
   * group or others, as ssh does for private keys.
   */
  static void checkPrivateFile(Path file) throws StorageException {
    if (Files.isSymbolicLink(file)) {
      throw new StorageException(file + " is a symbolic link; credstore does not follow links"
          + " to store files (point --store at the real file)");
    }
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      throw new StorageException(file + " is not a regular file");
    }
    if (isPosix(file)) {
      try {
        Set<PosixFilePermission> permissions =
            Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY_FILE.containsAll(permissions)) {
          throw new StorageException("store file " + file + " has permissions "
              + PosixFilePermissions.toString(permissions)
              + ", open to other users; run: chmod 600 " + file);
        }
      } catch (IOException e) {
        throw storageError("cannot inspect " + file, e);
      }
    }
  }

  /** Reads a whole file of at most {@code maxLength} bytes, or returns null if it is absent. */
  static byte[] readIfExists(Path file, int maxLength) throws StorageException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      if (size > maxLength) {
        throw new StorageException(file + " is " + size + " bytes, larger than any store ("
            + maxLength + " bytes); refusing to read it");
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // keep reading
      }
      if (buffer.hasRemaining()) {
        byte[] partial = new byte[buffer.position()];
        buffer.flip().get(partial);
        return partial;
      }
      return buffer.array();
    } catch (NoSuchFileException absent) {
      return null;
    } catch (IOException e) {
      throw storageError("cannot read " + file, e);
    }
  }

  /**
   * Replaces {@code target} with {@code content} atomically and durably: writes a new 0600 file
   * beside it (created exclusively, so a planted link is never followed), forces it to disk,
   * renames it over the target, and forces the directory. A crash at any point leaves the old
   * file or the new one. The temporary file is removed on failure.
   */
  static void writeAtomically(Path target, byte[] content) throws StorageException {
    Path directory = target.toAbsolutePath().getParent();
    Path temp = directory.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    boolean renamed = false;
    try {
      FileAttribute<?>[] attributes = isPosix(directory)
          ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
          : new FileAttribute<?>[0];
      Set<OpenOption> options =
          Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
      try (FileChannel channel = FileChannel.open(temp, options, attributes)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      renamed = true;
      forceDirectory(directory);
    } catch (FileAlreadyExistsException e) {
      throw storageError("temporary file " + temp + " already exists", e);
    } catch (IOException e) {
      throw storageError("cannot write " + target, e);
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
   * Deletes temporary files that a writer killed mid-write left beside {@code target}. Only safe
   * while holding the store's write lock: every live writer holds it while its temp file exists.
   */
  static void removeStaleTemporaryFiles(Path target) {
    String prefix = "." + target.getFileName() + ".";
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(target.getParent(),
        p -> p.getFileName().toString().startsWith(prefix)
            && p.getFileName().toString().endsWith(".tmp"))) {
      for (Path temp : stale) {
        Files.deleteIfExists(temp);
      }
    } catch (IOException ignored) {
      // Leftovers hold only ciphertext in 0600 files; failing to tidy them is not an error.
    }
  }

  /** Creates {@code file} with mode 0600 if it does not exist. */
  static void ensurePrivateFile(Path file) throws StorageException {
    try {
      if (isPosix(file)) {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE));
      } else {
        Files.createFile(file);
      }
    } catch (FileAlreadyExistsException exists) {
      checkPrivateFile(file);
    } catch (IOException e) {
      throw storageError("cannot create " + file, e);
    }
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

  static StorageException storageError(String what, IOException e) {
    String reason;
    if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
      reason = fse.getReason();
    } else {
      reason = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
    return new StorageException(what + ": " + reason, e);
  }
}
