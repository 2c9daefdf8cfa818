package dev.credstore.pass;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.api.StorageException;
import dev.credstore.api.StoreDescription;
import dev.credstore.spi.Names;
import dev.credstore.spi.PrivateFiles;
import dev.credstore.spi.PrivateLock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Credentials as pass entries {@code credstore/<service>/<account>} (see {@link EntryNames},
 * {@link EntryFormat}). Reads decrypt with gpg; writes encrypt to the entry's recipients, replace
 * the file atomically ({@link PrivateFiles#replace}) and commit the change when the store is a git
 * repository. Writers serialise on a {@link PrivateLock} in credstore's data directory.
 */
final class PassStore implements CredentialStore {

  static final String ROOT = "credstore";
  static final String SUMMARY = "pass (GPG-encrypted entries, synced with git)";
  // list() decrypts every entry; a few gpg processes at once hide most of their start-up time.
  private static final int LIST_PARALLELISM = 4;

  private final PassDirectory directory;
  private final Path lockDirectory;
  private final Gpg gpg;
  private final Duration timeout;
  // Made at the first describe(): it asks git for the remotes, which a get does not need.
  private volatile String description;
  private volatile boolean closed;

  PassStore(PassDirectory directory, Path dataDirectory, Duration timeout) {
    this.directory = directory;
    this.lockDirectory = dataDirectory;
    this.timeout = timeout;
    // open() checked that gpg is on the PATH of the options' environment, not the JVM's.
    this.gpg = new Gpg(directory.program("gpg").orElse(Path.of("gpg")), directory.environment,
        timeout);
  }

  @Override
  public Optional<Credential> get(CredentialId id) throws CredentialStoreException {
    checkOpen();
    Optional<EntryFormat.Entry> entry = read(id);
    if (entry.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(entry.get().credential);
  }

  @Override
  public void create(Credential credential) throws CredentialStoreException {
    withWriteLock(credential.id(), () -> {
      if (Files.exists(file(credential.id()), LinkOption.NOFOLLOW_LINKS)) {
        throw new CredentialConflictException("pass entry " + name(credential.id())
            + " already exists");
      }
      write(credential, List.of(), "Add given password for " + name(credential.id())
          + " to store.");
    });
  }

  @Override
  public void put(Credential credential) throws CredentialStoreException {
    withWriteLock(credential.id(), () -> {
      List<String> kept = List.of();
      Optional<EntryFormat.Entry> existing = read(credential.id());
      if (existing.isPresent()) {
        try (EntryFormat.Entry entry = existing.get()) {
          kept = entry.foreignLines;
        }
      }
      write(credential, kept, "Add given password for " + name(credential.id()) + " to store.");
    });
  }

  @Override
  public void replace(Secret expectedSecret, Credential replacement)
      throws CredentialStoreException {
    withWriteLock(replacement.id(), () -> {
      List<String> kept;
      try (EntryFormat.Entry entry = read(replacement.id()).orElseThrow(() ->
          new CredentialNotFoundException("no pass entry " + name(replacement.id())))) {
        if (!entry.credential.secret().sameAs(expectedSecret)) {
          throw new CredentialConflictException("the secret of pass entry "
              + name(replacement.id()) + " changed since it was read; nothing was replaced");
        }
        kept = entry.foreignLines;
      }
      write(replacement, kept, "Rotate password for " + name(replacement.id()) + ".");
    });
  }

  @Override
  public boolean delete(CredentialId id) throws CredentialStoreException {
    boolean[] deleted = {false};
    withWriteLock(id, () -> {
      Path file = file(id);
      try {
        deleted[0] = Files.deleteIfExists(file);
      } catch (IOException e) {
        throw storageError("cannot delete " + file, e);
      }
      if (deleted[0]) {
        try {
          Files.deleteIfExists(file.getParent()); // as pass rm does: no empty service directories
        } catch (IOException e) {
          // Not empty (another account), which is the common case.
        }
        commit(file, "Remove " + name(id) + " from store.", true);
      }
    });
    return deleted[0];
  }

  @Override
  public List<CredentialMetadata> list() throws CredentialStoreException {
    checkOpen();
    List<CredentialId> found = entries();
    List<CredentialMetadata> listed = new ArrayList<>();
    if (found.isEmpty()) {
      return listed;
    }
    ExecutorService pool = Executors.newFixedThreadPool(
        Math.min(LIST_PARALLELISM, found.size()), runnable -> {
          Thread thread = new Thread(runnable, "credstore-pass-list");
          thread.setDaemon(true);
          return thread;
        });
    try {
      List<Future<Optional<CredentialMetadata>>> futures = new ArrayList<>();
      for (CredentialId id : found) {
        futures.add(pool.submit(() -> metadata(id)));
      }
      for (Future<Optional<CredentialMetadata>> future : futures) {
        future.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS).ifPresent(listed::add);
      }
    } catch (ExecutionException e) {
      if (e.getCause() instanceof CredentialStoreException cause) {
        throw cause;
      }
      throw new StorageException("cannot list the pass store: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new StorageException("listing the pass store took longer than "
          + timeout.toSeconds() * 2 + " s per entry", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while listing the pass store", e);
    } finally {
      pool.shutdownNow();
    }
    listed.sort(Comparator.comparing(CredentialMetadata::id));
    return listed;
  }

  // Decrypts the entry only to read its metadata lines; the secrets are zeroed at once.
  private Optional<CredentialMetadata> metadata(CredentialId id) throws CredentialStoreException {
    Optional<EntryFormat.Entry> entry = read(id);
    if (entry.isEmpty()) {
      return Optional.empty(); // deleted since the directory was read
    }
    try (EntryFormat.Entry read = entry.get()) {
      return Optional.of(read.credential.metadata());
    }
  }

  // The ids of credstore's entries: credstore/<service>/<account>.gpg with canonical names.
  private List<CredentialId> entries() throws StorageException {
    Path base = directory.root.resolve(ROOT);
    List<CredentialId> found = new ArrayList<>();
    if (!Files.isDirectory(base)) {
      return found;
    }
    try (DirectoryStream<Path> services = Files.newDirectoryStream(base)) {
      for (Path serviceDirectory : services) {
        String service = EntryNames.decode(serviceDirectory.getFileName().toString());
        if (service == null || !Files.isDirectory(serviceDirectory) || !validName(service,
            CredentialId.MAX_SERVICE_LENGTH)) {
          continue;
        }
        try (DirectoryStream<Path> accounts = Files.newDirectoryStream(serviceDirectory,
            "*" + EntryNames.SUFFIX)) {
          for (Path file : accounts) {
            String fileName = file.getFileName().toString();
            String account = EntryNames.decode(
                fileName.substring(0, fileName.length() - EntryNames.SUFFIX.length()));
            if (account != null && Files.isRegularFile(file)
                && validName(account, CredentialId.MAX_ACCOUNT_LENGTH)) {
              found.add(new CredentialId(service, account));
            }
          }
        }
      }
    } catch (IOException e) {
      throw storageError("cannot read the pass store directory " + base, e);
    }
    return found;
  }

  private static boolean validName(String name, int maxLength) {
    try {
      Names.check("name", name, maxLength);
      return true;
    } catch (IllegalArgumentException e) {
      return false; // an entry someone else made; not one of ours
    }
  }

  private Optional<EntryFormat.Entry> read(CredentialId id) throws CredentialStoreException {
    Path file = file(id);
    Instant modified;
    try {
      modified = Files.getLastModifiedTime(file).toInstant();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw storageError("cannot read " + file, e);
    }
    try (Commands.Output output = gpg.decrypt(file, name(id))) {
      byte[] plaintext = output.stdout();
      try {
        return Optional.of(EntryFormat.decode(id, plaintext, modified));
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  private void write(Credential credential, List<String> keptLines, String message)
      throws CredentialStoreException {
    Path file = file(credential.id());
    Path parent = file.getParent();
    List<String> recipients = directory.recipients(parent);
    byte[] plaintext = EntryFormat.encode(credential, keptLines);
    byte[] ciphertext;
    try {
      ciphertext = gpg.encrypt(recipients, plaintext, name(credential.id()));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
    writeAtomically(file, ciphertext);
    commit(file, message, false);
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

  @FunctionalInterface
  private interface LockedAction {
    void run() throws CredentialStoreException;
  }

  private void withWriteLock(CredentialId id, LockedAction action)
      throws CredentialStoreException {
    checkOpen();
    if (!EntryNames.fits(id)) {
      throw new StorageException("credential " + id + " has a name too long for a pass entry"
          + " (at most " + EntryNames.MAX_COMPONENT_BYTES + " bytes per path part)");
    }
    directory.check();
    PrivateFiles.ensureDirectory(lockDirectory);
    Path entry = file(id);
    PrivateLock.hold(lockFile(), timeout, () -> {
      // Under the lock every live writer's temporary file is its own, so any other is a crash's.
      PrivateFiles.removeStaleTemporaryFiles(entry);
      action.run();
      return null;
    });
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

  private Path file(CredentialId id) {
    return directory.root.resolve(ROOT).resolve(EntryNames.encode(id.service()))
        .resolve(EntryNames.encode(id.account()) + EntryNames.SUFFIX);
  }

  private static String name(CredentialId id) {
    return EntryNames.entryName(id);
  }

  private static StorageException storageError(String what, IOException e) {
    return PrivateFiles.storageError(what, e);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("pass store " + directory.root + " is closed");
    }
  }

  @Override
  public StoreDescription describe() {
    String summary = description;
    if (summary == null) {
      summary = "pass store, " + directory.describe(timeout);
      description = summary;
    }
    return new StoreDescription(PassStoreProvider.ID, summary, directory.root.toString());
  }

  @Override
  public void close() {
    closed = true;
  }
}
