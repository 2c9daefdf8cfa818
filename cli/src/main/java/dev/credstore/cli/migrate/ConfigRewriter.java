package dev.credstore.cli.migrate;

import dev.credstore.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Optional;
import java.util.Set;

/**
 * The step of {@code migrate} that replaces a tool's config file with its scrubbed bytes. A seam
 * so that tests can make exactly this step fail after the store write; the real one is {@link
 * PrivateFiles#replaceKeepingOwner}.
 */
@FunctionalInterface
public interface ConfigRewriter {

  ConfigRewriter ATOMIC = PrivateFiles::replaceKeepingOwner;

  /**
   * Replaces {@code file}'s content with {@code content} atomically, keeping its permissions,
   * owner and group, but only while it still holds exactly {@code expected}.
   *
   * @throws IOException if the file is unchanged (the failure left it exactly as it was)
   */
  void rewrite(Path file, byte[] expected, byte[] content) throws IOException;

  /**
   * As {@link #rewrite(Path, byte[], byte[])}, then gives the file {@code mode} when present (a
   * tool's world-readable default tightened; the content no longer holds the secret by then).
   */
  default void rewrite(Path file, byte[] expected, byte[] content,
      Optional<Set<PosixFilePermission>> mode) throws IOException {
    rewrite(file, expected, content);
    if (mode.isPresent()) {
      Files.setPosixFilePermissions(file, mode.get());
    }
  }

  /**
   * Removes {@code file}, which is all secret, but only while it still holds exactly {@code
   * expected} (a tool that wrote it meanwhile wins).
   *
   * @throws IOException if the file is unchanged
   */
  default void delete(Path file, byte[] expected) throws IOException {
    PrivateFiles.requireUnchanged(file, expected);
    Files.delete(file);
  }
}
