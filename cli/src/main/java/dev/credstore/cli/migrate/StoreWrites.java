package dev.credstore.cli.migrate;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import dev.credstore.cli.migrate.Migrator.Outcome;
import dev.credstore.cli.migrate.Migrator.Status;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The store side of one migrate run: each write (create, or same token, or --force replace),
 * read back and compared. Remembers what this run wrote, so two files with different tokens for
 * one credential stop instead of the second overwriting the first.
 */
final class StoreWrites {

  /** How a store write went; {@link #describe} is the report's wording. */
  enum Stored {
    CREATED, SAME, REPLACED;

    String describe(String where) {
      switch (this) {
        case SAME:
          return "the store already held this token (" + where + ")";
        case REPLACED:
          return "stored the token in " + where
              + ", replacing a different one (kept as its previous secret, --force)";
        default:
          return "stored the token in " + where;
      }
    }
  }

  private final StoreAccess access;
  private final Clock clock;
  private final Migrator.Options options;
  private final Map<CredentialId, String> writtenThisRun = new HashMap<>();

  StoreWrites(StoreAccess access, Clock clock, Migrator.Options options) {
    this.access = access;
    this.clock = clock;
    this.options = options;
  }

  /** --dry-run: what the store holds now decides between new, same and conflict. */
  Outcome predict(PlaintextSource source, Path file, FoundSecret secret)
      throws CredentialStoreException {
    String action = options.keepPlaintext() ? " and keep the plaintext in the file"
        : " and remove it from the file";
    Optional<Credential> existing = access.store().get(secret.id());
    if (existing.isEmpty()) {
      return Migrator.outcome(source, file, secret, Status.WOULD_MIGRATE,
          "would store the token" + action + Carried.note(secret));
    }
    try (Credential old = existing.get()) {
      if (old.secret().sameAs(secret.secret())) {
        return Migrator.outcome(source, file, secret, Status.WOULD_MIGRATE,
            "the store already holds this token; would" + action.replaceFirst("^ and", "")
                + Carried.note(secret));
      }
    }
    if (options.force()) {
      return Migrator.outcome(source, file, secret, Status.WOULD_MIGRATE,
          "would replace the different token stored for " + Describe.id(secret.id())
              + " (--force)" + action);
    }
    return new Outcome(source.tool(), file, secret.locator(), secret.id(), Status.CONFLICT,
        "the store already holds a different token for " + Describe.id(secret.id())
            + "; migrate would stop here. Use --force to store this one, or --account NAME",
        ExitCodes.CONFLICT, Carried.names(secret));
  }

  /** Store write, then read back and compare. */
  Stored store(Path file, FoundSecret found) throws CredentialStoreException {
    CredentialId id = found.id();
    Secret token = found.secret();
    Map<String, String> attributes = Carried.usable(found.metadata());
    CredentialStore store = access.store();
    Stored result;
    try (Credential fresh = Credential.builder(id).token(token).attributes(attributes)
        .clock(clock).build()) {
      try {
        store.create(fresh);
        result = Stored.CREATED;
      } catch (CredentialConflictException exists) {
        result = storeOverExisting(store, found, attributes, exists);
      }
    }
    Optional<Credential> back = store.get(id);
    if (back.isEmpty()) {
      throw new IntegrityException("reading " + Describe.id(id) + " back after storing it found "
          + "nothing; the file is unchanged");
    }
    try (Credential credential = back.get()) {
      if (!credential.secret().sameAs(token)) {
        throw new IntegrityException("the token read back for " + Describe.id(id)
            + " differs from the one written; the file is unchanged");
      }
    }
    writtenThisRun.putIfAbsent(id, file + (found.locator().isEmpty() ? "" : " " + found.locator()));
    return result;
  }

  private Stored storeOverExisting(CredentialStore store, FoundSecret found,
      Map<String, String> attributes, CredentialConflictException exists)
      throws CredentialStoreException {
    CredentialId id = found.id();
    Optional<Credential> current = store.get(id);
    if (current.isEmpty()) {
      throw new CredentialConflictException(Describe.id(id) + " changed in the store while "
          + "credstore was migrating; the file is unchanged, run migrate again", exists);
    }
    try (Credential old = current.get()) {
      if (old.secret().sameAs(found.secret())) {
        return Stored.SAME;
      }
      String earlier = writtenThisRun.get(id);
      if (earlier != null) {
        throw new CredentialConflictException("holds a different token than " + earlier
            + ", which this run already moved to " + Describe.id(id) + "; the file is unchanged."
            + " Migrate it on its own with --from PATH --service " + id.service()
            + " --account NAME, or delete the stale token by hand", exists);
      }
      if (!options.force()) {
        throw new CredentialConflictException("the store already holds a different token for "
            + Describe.id(id) + "; the file is unchanged. Use --force to store this one (the "
            + "stored one is kept as its previous secret), or --account NAME to keep both",
            exists);
      }
      Map<String, String> merged = new TreeMap<>(old.metadata().attributes());
      merged.putAll(attributes);
      Instant now = clock.instant();
      try (Credential replacement = Credential.builder(id).token(found.secret())
          .attributes(merged).previousSecret(old.secret()).createdAt(old.metadata().createdAt())
          .rotatedAt(now).updatedAt(now).build()) {
        store.replace(old.secret(), replacement);
      }
      return Stored.REPLACED;
    }
  }
}
