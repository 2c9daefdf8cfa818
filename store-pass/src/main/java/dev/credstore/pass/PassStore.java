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
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Credentials as pass entries {@code credstore/<service>/<account>} (see {@link EntryNames},
 * {@link EntryFormat}). Reads decrypt with gpg; writes encrypt to the entry's recipients, replace
 * the file atomically (a temporary file in the same directory, then a rename) and commit the change
 * when the store is a git repository. Writers serialise on a lock in the store's {@code .git}
 * directory, or {@code credstore/.lock} when it has none, shared with other processes through
 * {@link FileChannel#lock} and with other threads through an in-process lock.
 */
final class PassStore implements CredentialStore {

  static final String ROOT = "credstore";
  static final String SUMMARY = "pass (GPG-encrypted entries, synced with git)";
  private static final Map<Path, ReentrantLock> PROCESS_LOCKS = new ConcurrentHashMap<>();
  private static final String TEMPORARY_MARK = ".tmp-";
  // list() decrypts every entry; a few gpg processes at once hide most of their start-up time.
  private static final int LIST_PARALLELISM = 4;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final PassDirectory directory;
  private final Gpg gpg;
  private final Duration timeout;
  // Made at the first describe(): it asks git for the remotes, which a get does not need.
  private volatile String description;
  private volatile boolean closed;

  PassStore(PassDirectory directory, Duration timeout) {
    this.directory = directory;
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

  private void writeAtomically(Path file, byte[] content) throws StorageException {
    Path parent = file.getParent();
    try {
      createPrivateDirectories(parent);
      Path temporary = parent.resolve("." + file.getFileName() + TEMPORARY_MARK
          + HexFormat.of().formatHex(randomBytes()));
      try {
        try (FileChannel channel = FileChannel.open(temporary, Private.NEW_FILE,
            Private.FILE)) {
          ByteBuffer buffer = ByteBuffer.wrap(content);
          while (buffer.hasRemaining()) {
            channel.write(buffer);
          }
          channel.force(true);
        }
        try {
          Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          throw new StorageException("the file system of " + parent + " cannot rename atomically",
              e);
        }
        temporary = null;
        forceDirectory(parent);
      } finally {
        if (temporary != null) {
          Files.deleteIfExists(temporary);
        }
      }
    } catch (IOException e) {
      throw storageError("cannot write " + file, e);
    }
  }

  private static byte[] randomBytes() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static final class Private {
    static final Set<StandardOpenOption> NEW_FILE = Set.of(
        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    static final FileAttribute<?> FILE =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    static final FileAttribute<?> DIRECTORY =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  }

  // As pass does under its umask 077: directories it creates are the user's alone.
  private void createPrivateDirectories(Path target) throws IOException {
    if (Files.isDirectory(target)) {
      return;
    }
    createPrivateDirectories(target.getParent());
    try {
      Files.createDirectory(target, Private.DIRECTORY);
    } catch (FileAlreadyExistsException e) {
      // Made by a concurrent writer of another service directory.
    }
  }

  private static void forceDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems cannot sync a directory; the rename itself has happened.
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
    Path lockFile = directory.isGit() ? directory.root.resolve(".git/credstore.lock")
        : directory.root.resolve(ROOT).resolve(".lock");
    ReentrantLock threadLock = PROCESS_LOCKS.computeIfAbsent(lockFile, p -> new ReentrantLock());
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      if (!threadLock.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw lockTimedOut(lockFile);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for the lock on " + lockFile, e);
    }
    try {
      createPrivateDirectories(lockFile.getParent());
      try (FileChannel channel = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE,
          StandardOpenOption.WRITE), Private.FILE)) {
        FileLock lock = acquire(channel, deadline, lockFile);
        try {
          removeStaleTemporaryFiles(file(id).getParent());
          action.run();
        } finally {
          lock.release();
        }
      }
    } catch (IOException e) {
      throw storageError("cannot lock " + lockFile, e);
    } finally {
      threadLock.unlock();
    }
  }

  private FileLock acquire(FileChannel channel, long deadline, Path lockFile)
      throws IOException, StorageException {
    long pause = 1;
    while (true) {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null;
      }
      if (lock != null) {
        return lock;
      }
      if (System.nanoTime() > deadline) {
        throw lockTimedOut(lockFile);
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StorageException("interrupted while waiting for the lock on " + lockFile, e);
      }
      pause = Math.min(pause * 2, 4);
    }
  }

  // Under the lock every live writer's temporary file is its own, so any other is a crash's.
  private static void removeStaleTemporaryFiles(Path serviceDirectory) {
    if (!Files.isDirectory(serviceDirectory)) {
      return;
    }
    try (DirectoryStream<Path> stale = Files.newDirectoryStream(serviceDirectory,
        ".*" + EntryNames.SUFFIX + TEMPORARY_MARK + "*")) {
      for (Path file : stale) {
        Files.deleteIfExists(file);
      }
    } catch (IOException e) {
      // Left for the next writer; they are encrypted and hidden from pass ls.
    }
  }

  private StorageException lockTimedOut(Path lockFile) {
    return new StorageException("another process has held the lock on " + lockFile + " for more"
        + " than " + timeout.toSeconds() + " s; is a credstore command stuck?");
  }

  private Path file(CredentialId id) {
    return directory.root.resolve(ROOT).resolve(EntryNames.encode(id.service()))
        .resolve(EntryNames.encode(id.account()) + EntryNames.SUFFIX);
  }

  private static String name(CredentialId id) {
    return EntryNames.entryName(id);
  }

  private static StorageException storageError(String what, IOException e) {
    return new StorageException(what + ": " + e.getMessage(), e);
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
