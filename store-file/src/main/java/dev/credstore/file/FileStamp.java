package dev.credstore.file;

import dev.credstore.api.StorageException;
import dev.credstore.spi.PrivateFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * What tells one version of the store file from another without reading it whole: identity
 * (device and inode where the platform has them), size, modification time and the trailing
 * SHA-256 checksum (every format ends every file with it).
 */
final class FileStamp {
  private final Object identity;
  private final long size;
  private final long modifiedNanos;
  private final byte[] checksum;

  private FileStamp(Object identity, long size, long modifiedNanos, byte[] checksum) {
    this.identity = identity;
    this.size = size;
    this.modifiedNanos = modifiedNanos;
    this.checksum = checksum;
  }

  /** The stamp of {@code file} now; no checksum when the file is too short to hold one. */
  static FileStamp of(Path file) throws StorageException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ,
        LinkOption.NOFOLLOW_LINKS)) {
      // Attributes after opening: a rename between the two only makes the stamp mismatch.
      BasicFileAttributes attributes =
          Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      long size = channel.size();
      byte[] tail = null;
      if (size >= StoreFileFormat.CHECKSUM_LENGTH) {
        ByteBuffer buffer = ByteBuffer.allocate(StoreFileFormat.CHECKSUM_LENGTH);
        long position = size - StoreFileFormat.CHECKSUM_LENGTH;
        while (buffer.hasRemaining()) {
          int read = channel.read(buffer, position + buffer.position());
          if (read < 0) {
            return new FileStamp(attributes.fileKey(), size, -1, null);
          }
        }
        tail = buffer.array();
      }
      return new FileStamp(attributes.fileKey(), size,
          attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), tail);
    } catch (NoSuchFileException e) {
      return new FileStamp(null, -1, -1, null);
    } catch (IOException e) {
      throw PrivateFiles.storageError("cannot read " + file, e);
    }
  }

  /**
   * The stamp of {@code file} if it now holds {@code written} (same size, same trailing
   * checksum), else null: what we just renamed into place, unless something replaced it since.
   */
  static FileStamp ifHolds(Path file, byte[] written) throws StorageException {
    FileStamp now = of(file);
    return now.size == written.length && now.checksum != null
        && MessageDigest.isEqual(now.checksum, checksumOf(written)) ? now : null;
  }

  /** The trailing checksum of a whole store file's bytes. */
  static byte[] checksumOf(byte[] file) {
    return Arrays.copyOfRange(file, file.length - StoreFileFormat.CHECKSUM_LENGTH, file.length);
  }

  /** This stamp, tied to the checksum of the bytes actually decrypted. */
  FileStamp withChecksumOf(byte[] decryptedFrom) {
    return new FileStamp(identity, size, modifiedNanos, checksumOf(decryptedFrom));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof FileStamp that
        && identity != null && identity.equals(that.identity)
        && size == that.size && modifiedNanos == that.modifiedNanos
        && checksum != null && that.checksum != null
        && MessageDigest.isEqual(checksum, that.checksum);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(size);
  }
}
