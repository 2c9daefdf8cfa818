package dev.credstore.spi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rules of {@link PrivateFiles#check}: the file itself, its directory, then each ancestor up
 * to the root or to a root-owned sticky directory (see {@link PrivateFiles} for the rules in
 * words). Stateless.
 */
final class PrivacyRules {

  /** Mode bits a private file or directory may not have: any group or other permission. */
  private static final int GROUP_OR_OTHER = 0077;
  private static final int WRITABLE_BY_OTHERS = 0022;
  private static final int STICKY = 01000;
  private static final int ROOT = 0;
  private static final int MAX_LINKS = 40;

  private PrivacyRules() {}

  /**
   * Judges an existing file: itself, its directory and the directory's ancestors. A missing file
   * is not private (callers that accept absence check for it first).
   */
  static PrivacyVerdict check(Path file) {
    Path absolute = file.toAbsolutePath();
    FileAttributes attributes;
    try {
      attributes = FileAttributes.of(absolute);
    } catch (IOException e) {
      return unreadable(absolute, e);
    }
    PrivacyVerdict own = checkFileItself(absolute, attributes);
    return own.isPrivate() ? checkDirectory(absolute.getParent()) : own;
  }

  /** Judges a directory that holds private files: itself and its ancestors. */
  static PrivacyVerdict checkDirectory(Path directory) {
    Path absolute = directory.toAbsolutePath();
    FileAttributes attributes;
    try {
      attributes = FileAttributes.of(absolute);
    } catch (IOException e) {
      return unreadable(absolute, e);
    }
    if (attributes == null) {
      return PrivacyVerdict.advise(absolute, "does not exist", "create it with mode 700");
    }
    if (attributes.symbolicLink) {
      return PrivacyVerdict.advise(absolute, "is a symbolic link, which credstore does not follow"
          + " for the directory of its files", "point credstore at the real directory");
    }
    if (!attributes.directory) {
      return PrivacyVerdict.advise(absolute, "is not a directory", "move it aside");
    }
    if (attributes.posix) {
      if ((attributes.mode & WRITABLE_BY_OTHERS) != 0 && (attributes.mode & STICKY) != 0) {
        return PrivacyVerdict.advise(absolute, "is a shared directory (" + attributes.modeText()
            + ") where other users can create files", "keep the files in a private directory"
            + " under it: mkdir -m 700 " + absolute.resolve("credstore") + " and point"
            + " credstore there");
      }
      if (!attributes.ownedByUs()) {
        return PrivacyVerdict.advise(absolute, "is owned by " + attributes.ownerText()
            + ", not by you (" + EffectiveUser.describe() + ")", "keep the files in a directory"
            + " of your own, or run credstore as that user");
      }
      if ((attributes.mode & WRITABLE_BY_OTHERS) != 0) {
        return PrivacyVerdict.fixedBy(absolute, "is writable by other users (mode "
            + attributes.modeText() + "), who could replace the files in it", "chmod 700");
      }
      if ((attributes.mode & GROUP_OR_OTHER) != 0) {
        return PrivacyVerdict.fixedBy(absolute, "has mode " + attributes.modeText(), "chmod 700");
      }
    }
    Path parent = absolute.getParent();
    return parent == null ? PrivacyVerdict.ok() : checkAncestor(parent, 0);
  }

  static PrivacyVerdict checkFileItself(Path file, FileAttributes attributes) {
    if (attributes == null) {
      return PrivacyVerdict.advise(file, "does not exist", "create it with mode 600");
    }
    if (attributes.symbolicLink) {
      return PrivacyVerdict.advise(file, "is a symbolic link, which credstore does not follow",
          "point credstore at the real file");
    }
    if (!attributes.regularFile) {
      return PrivacyVerdict.advise(file, "is not a regular file", "move it aside");
    }
    if (attributes.posix) {
      if (!attributes.ownedByUs()) {
        return PrivacyVerdict.advise(file, "is owned by " + attributes.ownerText()
            + ", not by you (" + EffectiveUser.describe() + ")",
            "run credstore as its owner, or move it aside");
      }
      if ((attributes.mode & GROUP_OR_OTHER) != 0) {
        return PrivacyVerdict.fixedBy(file, "has mode " + attributes.modeText(), "chmod 600");
      }
    }
    return PrivacyVerdict.ok();
  }

  // An ancestor must be owned by root or us and not writable by others; a root-owned sticky
  // directory ends the walk. A link is judged by its owner, then its target is walked too.
  private static PrivacyVerdict checkAncestor(Path ancestor, int links) {
    Path current = ancestor;
    while (current != null) {
      FileAttributes attributes;
      try {
        attributes = FileAttributes.of(current);
      } catch (IOException e) {
        return unreadable(current, e);
      }
      if (attributes == null || !attributes.posix) {
        return PrivacyVerdict.ok(); // nothing to judge by here
      }
      if (!attributes.ownedByUs() && attributes.uid != ROOT) {
        return PrivacyVerdict.advise(current, "is owned by " + attributes.ownerText()
            + " (neither you nor root), who could replace what lies below it",
            "keep credstore's files under directories owned by you or root");
      }
      if (attributes.symbolicLink) {
        if (links >= MAX_LINKS) {
          return PrivacyVerdict.advise(current, "leads through too many symbolic links",
              "point credstore at the real path");
        }
        Path target;
        try {
          target = current.resolveSibling(Files.readSymbolicLink(current)).normalize();
        } catch (IOException e) {
          return unreadable(current, e);
        }
        PrivacyVerdict viaLink = checkAncestor(target, links + 1);
        if (!viaLink.isPrivate()) {
          return viaLink;
        }
      } else {
        if (attributes.uid == ROOT && (attributes.mode & STICKY) != 0) {
          return PrivacyVerdict.ok(); // e.g. /tmp: others cannot replace our entries in it
        }
        if ((attributes.mode & WRITABLE_BY_OTHERS) != 0) {
          return PrivacyVerdict.fixedBy(current, "is writable by other users (mode "
              + attributes.modeText() + "), who could replace what lies below it", "chmod go-w");
        }
      }
      current = current.getParent();
    }
    return PrivacyVerdict.ok();
  }

  private static PrivacyVerdict unreadable(Path path, IOException e) {
    return PrivacyVerdict.advise(path, "cannot be inspected (" + PrivateFiles.reason(e) + ")",
        "check that you may read it");
  }
}
