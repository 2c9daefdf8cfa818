package dev.credstore.pass;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import dev.credstore.spi.Names;
import dev.credstore.spi.PrivateFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The read path of a {@link PassStore}: where an entry lives, decrypting one, and listing
 * credstore's entries (their metadata, decrypted a few at a time).
 */
final class PassEntries {

  // list() decrypts every entry; a few gpg processes at once hide most of their start-up time.
  private static final int LIST_PARALLELISM = 4;

  private final PassDirectory directory;
  private final Gpg gpg;

  PassEntries(PassDirectory directory, Gpg gpg) {
    this.directory = directory;
    this.gpg = gpg;
  }

  /** The entry's file: {@code <store>/credstore/<service>/<account>.gpg}, names encoded. */
  Path file(CredentialId id) {
    return directory.root.resolve(PassStore.ROOT).resolve(EntryNames.encode(id.service()))
        .resolve(EntryNames.encode(id.account()) + EntryNames.SUFFIX);
  }

  /** The decrypted entry, or empty when there is no file; the caller closes it. */
  Optional<EntryFormat.Entry> read(CredentialId id) throws CredentialStoreException {
    Path file = file(id);
    Instant modified;
    try {
      modified = Files.getLastModifiedTime(file).toInstant();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw PrivateFiles.storageError("cannot read " + file, e);
    }
    try (Commands.Output output = gpg.decrypt(file, EntryNames.entryName(id))) {
      byte[] plaintext = output.stdout();
      try {
        return Optional.of(EntryFormat.decode(id, plaintext, modified));
      } finally {
        Arrays.fill(plaintext, (byte) 0);
      }
    }
  }

  /** The metadata of every credstore entry, sorted by id. */
  List<CredentialMetadata> list() throws CredentialStoreException {
    List<CredentialId> found = ids();
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
    // Each entry is one gpg run, which gpg's own timeout bounds; waiting twice that is generous.
    Duration timeout = gpg.timeout();
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
  private List<CredentialId> ids() throws StorageException {
    Path base = directory.root.resolve(PassStore.ROOT);
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
      throw PrivateFiles.storageError("cannot read the pass store directory " + base, e);
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
}
