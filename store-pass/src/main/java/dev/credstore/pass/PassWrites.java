package dev.credstore.pass;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeoutException;

/**
 * The write path of a {@link PassStore}: the writers' lock, encrypting an entry to its recipients,
 * replacing its file atomically ({@link PrivateFiles#replace}), removing it, and committing either
 * change when the store is a git repository.
 */
final class PassWrites {

  @FunctionalInterface
  interface LockedAction {
    void run() throws CredentialStoreException;
  }

  private final PassDirectory directory;
  private final PassEntries entries;
  private final Path lockDirectory;
  private final Gpg gpg;
  private final Duration timeout;

  PassWrites(PassDirectory directory, PassEntries entries, Path lockDirectory, Gpg gpg,
      Duration timeout) {
    this.directory = directory;
    this.entries = entries;
    this.lockDirectory = lockDirectory;
    this.gpg = gpg;
    this.timeout = timeout;
  }

  /** Runs {@code action} holding the lock every credstore writer of this store holds. */
  void locked(CredentialId id, LockedAction action) throws CredentialStoreException {
    if (!EntryNames.fits(id)) {
      throw new StorageException("credential " + id + " has a name too long for a pass entry"
          + " (at most " + EntryNames.MAX_COMPONENT_BYTES + " bytes per path part)");
    }
    directory.check();
    PrivateFiles.ensureDirectory(lockDirectory);
    Path entry = entries.file(id);
    PrivateLock.hold(lockFile(), timeout, () -> {
      // Under the lock every live writer's temporary file is its own, so any other is a crash's.
      PrivateFiles.removeStaleTemporaryFiles(entry);
      action.run();
      return null;
    });
  }

  /** Encrypts and saves {@code credential} with {@code keptLines}, then commits it. */
  void write(Credential credential, List<String> keptLines, String message)
      throws CredentialStoreException {
    Path file = entries.file(credential.id());
    Path parent = file.getParent();
    List<String> recipients = directory.recipients(parent);
    byte[] plaintext = EntryFormat.encode(credential, keptLines);
    byte[] ciphertext;
    try {
      ciphertext = gpg.encrypt(recipients, plaintext, EntryNames.entryName(credential.id()));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    writeAtomically(file, ciphertext);
    commit(file, message, false);
  }

  /** Removes the entry and commits the removal; false when there was none. */
  boolean delete(CredentialId id) throws StorageException {
    Path file = entries.file(id);
    boolean deleted;
    try {
      deleted = Files.deleteIfExists(file);
    } catch (IOException e) {
      throw PrivateFiles.storageError("cannot delete " + file, e);
    }
    if (deleted) {
      try {
        Files.deleteIfExists(file.getParent()); // as pass rm does: no empty service directories
      } catch (IOException e) {
        // Not empty (another account), which is the common case.
      }
      commit(file, "Remove " + EntryNames.entryName(id) + " from store.", true);
    }
    return deleted;
  }

  // PrivateFiles.replace: a 0600 temporary file beside the entry, fsync, rename, directory fsync.
  // The store's directories are pass's to judge (a clone may be 0755), so only the ones credstore
  // creates are made private.
  private static void writeAtomically(Path file, byte[] content) throws StorageException {
    try {
      createPrivateDirectories(file.getParent());
    } catch (IOException e) {
      throw PrivateFiles.storageError("cannot create " + file.getParent(), e);
    }
    PrivateFiles.replace(file, content);
  }

  // As pass does under its umask 077: directories it creates are the user's alone.
  private static void createPrivateDirectories(Path target) throws IOException {
    if (Files.isDirectory(target)) {
      return;
    }
    createPrivateDirectories(target.getParent());
    try {
      Files.createDirectory(target,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // Made by a concurrent writer of another service directory.
    }
  }

  /**
   * Commits {@code file} as {@code pass insert} and {@code pass rm} do: with pass's own git
   * wrapper ({@code pass git}), signed when {@code pass.signcommits} is set, and only that path,
   * so that changes staged by the user stay staged.
   */
  private void commit(Path file, String message, boolean removed) throws StorageException {
    if (!directory.isGit()) {
      return;
    }
    String path = directory.root.relativize(file).toString();
    try {
      if (removed) {
        pass("git", "rm", "-q", "--cached", "--ignore-unmatch", "--", path);
      } else {
        pass("git", "add", "--", path);
      }
      if (pass("git", "status", "--porcelain", "--", path).isBlank()) {
        return;
      }
      boolean sign = pass("git", "config", "--bool", "--get", "pass.signcommits").strip()
          .equals("true");
      List<String> args = new ArrayList<>(List.of("git", "commit", "-q"));
      if (sign) {
        args.add("-S");
      }
      args.addAll(List.of("-m", message, "--", path));
      pass(args.toArray(String[]::new));
    } catch (StorageException e) {
      throw new StorageException("pass entry " + path + " was " + (removed ? "removed" : "saved")
          + ", but committing it to the store's git repository failed: " + e.getMessage()
          + "; commit it with: pass git commit", e);
    }
  }

  // Runs pass with non-secret arguments; returns stdout, or throws with pass's error line.
  private String pass(String... args) throws StorageException {
    Path program = directory.program("pass").orElseThrow(() ->
        new StorageException("pass is not installed"));
    List<String> command = new ArrayList<>();
    command.add(program.toString());
    command.addAll(List.of(args));
    try (Commands.Output output = Commands.run(command, directory.environment, directory.root,
        null, timeout)) {
      // git config --get exits 1 for an unset key: an answer, not a failure.
      boolean unsetKey = args.length > 1 && args[1].equals("config") && output.exitCode == 1;
      if (output.exitCode != 0 && !unsetKey) {
        throw new StorageException(String.join(" ", List.of(args).subList(0, 2)) + ": "
            + output.lastErrorLine());
      }
      return output.text();
    } catch (IOException e) {
      throw new StorageException("cannot run pass: " + e.getMessage(), e);
    } catch (TimeoutException e) {
      throw new StorageException(e.getMessage(), e);
    }
  }

  /**
   * The lock every credstore writer of this store holds: in credstore's data directory (private,
   * and nothing of credstore's in the store or its git history), named after the store's real path,
   * so that two spellings of one store share it.
   */
  private Path lockFile() throws StorageException {
    Path real;
    try {
      real = directory.root.toRealPath();
    } catch (IOException e) {
      throw PrivateFiles.storageError("cannot resolve the password store " + directory.root, e);
    }
    byte[] digest;
    try {
      digest = MessageDigest.getInstance("SHA-256")
          .digest(real.toString().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
    return lockDirectory.resolve("pass-" + HexFormat.of().formatHex(digest, 0, 8) + ".lock");
  }
}
