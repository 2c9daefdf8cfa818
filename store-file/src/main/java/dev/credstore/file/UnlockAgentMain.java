package dev.credstore.file;

import dev.credstore.api.IntegrityException;
import dev.credstore.file.unlock.UnlockAgent;
import dev.credstore.file.unlock.UnlockCache;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The unlock agent's process: {@link UnlockAgent}, opening store files of the binding it holds
 * with the format's own checks, so that an unlocked read in another process is answered whole.
 */
public final class UnlockAgentMain {

  private UnlockAgentMain() {}

  public static void main(String[] args) {
    UnlockAgent.run(args, UnlockAgentMain::open);
  }

  /** The payload, or null unless {@code file} is a sound current-format store of {@code binding}. */
  static byte[] open(Path storeFile, byte[] file, byte[] key, byte[] binding) {
    try {
      StoreFileFormat.Parsed parsed = StoreFileFormat.parse(file, storeFile.toString());
      if (!parsed.keys.isCurrent()) {
        return null;
      }
      byte[] identity = parsed.keys.identity();
      try {
        if (!MessageDigest.isEqual(UnlockCache.binding(storeFile, identity), binding)) {
          return null;
        }
      } finally {
        Arrays.fill(identity, (byte) 0);
      }
      return parsed.openPayload(key);
    } catch (IntegrityException | RuntimeException unsound) {
      return null;
    }
  }
}
