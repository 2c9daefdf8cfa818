package dev.credstore.keychain;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Checks the metadata index against the keychain for {@code list} where java-keyring cannot
 * enumerate (macOS, Windows). An entry whose item is gone is left out and reported; one that could
 * not be checked is kept and reported as unchecked. Nothing is removed from the index here: a read
 * never repairs, {@code logout} of the entry does.
 *
 * <p>Each check is a keychain read, and on macOS a read of an item whose access list does not
 * trust this {@code java} binary opens a permission dialog. So at most {@link #MAX_LOOKUPS} entries
 * are checked, and checking stops at the first failure (a denied dialog or a locked keychain
 * would repeat for every item).
 */
final class IndexCheck {

  static final int MAX_LOOKUPS = 25;

  /** Whether the keychain holds the item for an id; each call is bounded by the caller. */
  interface Lookup {
    boolean present(CredentialId id) throws Exception;
  }

  private IndexCheck() {}

  static List<CredentialMetadata> run(Collection<CredentialMetadata> indexed, Lookup lookup,
      String indexFile, Consumer<String> warnings) {
    List<CredentialMetadata> listed = new ArrayList<>();
    int looked = 0;
    int unchecked = 0;
    boolean stopped = false;
    for (CredentialMetadata entry : indexed) {
      CredentialId id = entry.id();
      if (stopped || looked == MAX_LOOKUPS) {
        unchecked++;
        listed.add(entry);
        continue;
      }
      looked++;
      try {
        if (lookup.present(id)) {
          listed.add(entry);
        } else {
          warnings.accept(id + " is in the metadata index (" + indexFile + ") but not in the"
              + " keychain, so it is not listed; 'credstore logout " + id.service()
              + " --account " + id.account() + "' drops it from the index");
        }
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        listed.add(entry);
        stopped = true;
        warnings.accept("could not check " + id + " against the keychain (" + reason(e)
            + "); listed from the index, unchecked");
      }
    }
    if (unchecked > 0) {
      warnings.accept(unchecked + (unchecked == 1 ? " more entry" : " more entries")
          + " listed from the index without checking the keychain ("
          + (stopped ? "checking stopped at the failure above"
              : "at most " + MAX_LOOKUPS + " are checked, since on macOS each check can ask"
                  + " for permission")
          + ")");
    }
    return List.copyOf(listed);
  }

  // java-keyring's messages name OS status codes, never a secret; first line only.
  private static String reason(Exception e) {
    if (e instanceof TimeoutException) {
      return "no answer in time";
    }
    if (e instanceof InterruptedException) {
      return "interrupted";
    }
    String message = e.getMessage();
    String type = e.getClass().getSimpleName();
    if (message == null || message.isBlank()) {
      return type;
    }
    return type + ": " + message.lines().findFirst().orElse("").strip();
  }
}
