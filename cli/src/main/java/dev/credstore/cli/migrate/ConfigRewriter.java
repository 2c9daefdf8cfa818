package dev.credstore.cli.migrate;

import dev.credstore.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;

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
}
