package dev.credstore.cli.migrate;

import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** The mode rules sources share. */
final class Modes {

  static final Set<PosixFilePermission> OWNER_READ_WRITE =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  private Modes() {}

  /** 0600 if anyone but the owner may read it (the tool's old default), else unchanged. */
  static Optional<Set<PosixFilePermission>> ownerOnlyIfWorldReadable(
      Set<PosixFilePermission> current) {
    return current.contains(PosixFilePermission.OTHERS_READ)
        || current.contains(PosixFilePermission.OTHERS_WRITE)
        ? Optional.of(OWNER_READ_WRITE) : Optional.empty();
  }

  /** 0600 if group or others have any access. */
  static Optional<Set<PosixFilePermission>> ownerOnly(Set<PosixFilePermission> current) {
    return current.stream().allMatch(p -> p.name().startsWith("OWNER_"))
        ? Optional.empty() : Optional.of(OWNER_READ_WRITE);
  }
}
