package dev.credstore.cli.migrate;

import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** The checks and reads a config file gets before migrate touches it. */
final class ConfigFiles {

  private ConfigFiles() {}

  /** See {@link Migrator#read(Path)}. */
  static byte[] read(Path path) throws StorageException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw new StorageException("no such file");
    } catch (IOException e) {
      throw new StorageException("cannot inspect it (" + reason(e) + ")", e);
    }
    if (attributes.isSymbolicLink()) {
      String to;
      try {
        to = " to " + Files.readSymbolicLink(path);
      } catch (IOException e) {
        to = "";
      }
      throw new StorageException("is a symbolic link" + to + "; credstore does not rewrite "
          + "files through links, nothing changed (migrate the link's target with --from)");
    }
    if (!attributes.isRegularFile()) {
      throw new StorageException("is not a regular file; nothing changed");
    }
    try {
      Object links = Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
      if (links instanceof Integer count && count > 1) {
        throw new StorageException("has " + count + " hard links; rewriting it would leave the "
            + "token behind under the other names, so nothing changed");
      }
    } catch (UnsupportedOperationException | IllegalArgumentException | IOException noUnixView) {
      // Not a Unix file system: no hard links to worry about that we could see anyway.
    }
    if (attributes.size() > PlaintextConfig.MAX_SIZE) {
      throw new StorageException("is " + attributes.size() + " bytes, larger than any config "
          + "file credstore will rewrite (" + PlaintextConfig.MAX_SIZE + ")");
    }
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      long size = channel.size();
      if (size > PlaintextConfig.MAX_SIZE) {
        throw new StorageException("grew past " + PlaintextConfig.MAX_SIZE + " bytes");
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) size);
      while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
        // keep reading
      }
      if (buffer.hasRemaining() || channel.read(ByteBuffer.allocate(1)) >= 0) {
        Arrays.fill(buffer.array(), (byte) 0);
        throw new StorageException("changed size while being read; run migrate again");
      }
      return buffer.array();
    } catch (IOException e) {
      throw new StorageException("cannot read it (" + reason(e) + "); nothing changed", e);
    }
  }

  static void checkWritable(Path path) throws StorageException {
    if (!Files.isWritable(path)) {
      throw new StorageException("is not writable (read-only or immutable); credstore did not "
          + "touch the store or the file");
    }
    Path directory = path.toAbsolutePath().getParent();
    if (!Files.isWritable(directory)) {
      throw new StorageException("its directory " + directory + " is not writable, and the "
          + "atomic rewrite needs to create a file there; credstore did not touch the store or "
          + "the file");
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  static String reason(Exception e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
