package dev.credstore.cli.command;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.cli.helper.GitCredentialRequest;
import dev.credstore.cli.helper.GitSecret;
import dev.credstore.cli.helper.HelperInput;
import dev.credstore.cli.helper.HelperNames;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.cli.session.StoreSession.Opened;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "git-credential",
    description = {
        "A git credential helper (set it up as in the example below). Speaks git's protocol (key=value lines on "
            + "standard input and output); ACTION is get, store or erase, and any other action is "
            + "ignored, as the protocol asks.",
        "Credentials live under service git:<protocol>://<host>[/<path>] (the path only with "
            + "credential.useHttpPath; a name too long for a service is shortened and ends in a "
            + "hash), the username as account; attributes url and username hold exactly what git "
            + "sent. No username, an empty username and the name 'default' are kept apart. "
            + "password_expiry_utc and oauth_refresh_token are stored and returned (the refresh "
            + "token as part of the secret). 'store' of a changed password is a rotation; 'erase' "
            + "removes every credential matching the fields git sent (those it leaves out match "
            + "anything), but never one whose password differs from the one git rejected."})
final class GitCredentialCommand extends BaseCommand {

  /** Attribute holding git's password_expiry_utc. */
  static final String EXPIRY = "password_expiry_utc";

  @Parameters(index = "0", paramLabel = "ACTION", description = "get, store or erase")
  String action;

  @Override
  public Integer call() throws CredentialStoreException {
    if (!List.of("get", "store", "erase").contains(action)) {
      return ExitCodes.OK;
    }
    byte[] input = HelperInput.read(context().stdin(), true);
    try (GitCredentialRequest request = GitCredentialRequest.parse(input)) {
      Arrays.fill(input, (byte) 0);
      if (action.equals("erase") ? !request.namesAnything() : request.url().isEmpty()) {
        return ExitCodes.OK;
      }
      try (Opened opened = StoreSession.openForHelper(context(), global(), "git",
          err())) {
        switch (action) {
          case "get" -> get(opened.store(), request);
          case "store" -> store(opened.store(), request);
          default -> erase(opened.store(), request);
        }
      }
    } finally {
      Arrays.fill(input, (byte) 0);
    }
    return ExitCodes.OK;
  }

  private void get(CredentialStore store, GitCredentialRequest request)
      throws CredentialStoreException {
    Optional<CredentialMetadata> entry = find(store, request);
    if (entry.isEmpty()) {
      return; // nothing (or nothing unambiguous) stored: git asks the next helper or the user
    }
    Optional<Credential> found = store.get(entry.get().id());
    if (found.isEmpty()) {
      return;
    }
    PrintWriter out = out();
    try (Credential credential = found.get();
        GitSecret secret = GitSecret.decode(credential.secret(),
            credential.metadata().attributes().get(GitSecret.FORMAT))) {
      String username = HelperNames.username(credential.metadata());
      if (username != null) {
        out.print("username=" + username + "\n");
      }
      print(out, "password=", secret.password);
      String expiry = credential.metadata().attributes().get(EXPIRY);
      if (expiry != null) {
        // Even when it has passed: git decides what an expired password is worth.
        out.print(EXPIRY + "=" + expiry + "\n");
      }
      if (secret.refreshToken != null) {
        print(out, "oauth_refresh_token=", secret.refreshToken);
      }
      out.flush();
    }
  }

  private static void print(PrintWriter out, String key, Secret value) {
    char[] chars = value.revealChars();
    try {
      out.print(key);
      out.write(chars);
      out.print("\n");
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  // With a username: exactly that user's entry. Without: the one entry stored for the URL, else
  // the one stored without a username.
  private static Optional<CredentialMetadata> find(CredentialStore store,
      GitCredentialRequest request) throws CredentialStoreException {
    String url = request.url().orElseThrow();
    String service = HelperNames.service(GitCredentialRequest.SERVICE_PREFIX, url);
    List<CredentialMetadata> entries = store.list().stream()
        .filter(m -> m.id().service().equals(service))
        .filter(m -> url.equals(storedUrl(m)))
        .toList();
    if (request.username != null) {
      return entries.stream()
          .filter(m -> request.username.equals(HelperNames.username(m))).findFirst();
    }
    if (entries.size() == 1) {
      return Optional.of(entries.get(0));
    }
    return entries.stream().filter(m -> HelperNames.username(m) == null).findFirst();
  }

  // The URL an entry was stored for; entries from before the url attribute have it as their name.
  private static String storedUrl(CredentialMetadata metadata) {
    String url = HelperNames.url(metadata.attributes());
    return url != null ? url
        : metadata.id().service().substring(GitCredentialRequest.SERVICE_PREFIX.length());
  }

  private void store(CredentialStore store, GitCredentialRequest request)
      throws CredentialStoreException {
    if (request.ephemeral || request.password == null) {
      return; // git asks not to keep it, or there is nothing to keep
    }
    boolean sso = request.password.length() == 0 && "".equals(request.username);
    if (request.password.isBlank() && !sso) {
      return; // nothing worth keeping; only git's SSO case stores an empty password
    }
    String url = request.url().orElseThrow();
    CredentialId id = new CredentialId(
        HelperNames.service(GitCredentialRequest.SERVICE_PREFIX, url),
        HelperNames.account(request.username));
    Map<String, String> wanted = new TreeMap<>(HelperNames.attributes(url, request.username));
    if (request.passwordExpiry != null && !request.passwordExpiry.isEmpty()) {
      wanted.put(EXPIRY, request.passwordExpiry);
    }
    if (GitSecret.needsFields(request.password, request.refreshToken)) {
      wanted.put(GitSecret.FORMAT, GitSecret.FIELDS);
    }
    Set<String> ours = Set.of(EXPIRY, GitSecret.FORMAT);
    try (Secret secret = GitSecret.encode(request.password, request.refreshToken)) {
      Optional<Credential> existing = store.get(id);
      if (existing.isEmpty()) {
        try (Credential credential = Credential.builder(id).token(secret)
            .attributes(wanted).clock(context().clock()).build()) {
          try {
            store.create(credential);
          } catch (CredentialConflictException raced) {
            store.put(credential); // another git process stored it meanwhile; ours is newer
          }
        }
        return;
      }
      try (Credential current = existing.get()) {
        Map<String, String> attributes =
            HelperNames.merged(current.metadata().attributes(), wanted, ours);
        boolean sameSecret = current.secret().sameAs(secret);
        if (sameSecret && attributes.equals(current.metadata().attributes())) {
          return; // git approves every successful use; nothing changed
        }
        Instant now = context().clock().instant();
        // A new password is a rotation (the old one kept); a new expiry alone is an update.
        try (Credential base = sameSecret ? null : current.rotatedTo(secret, now);
            Credential updated = (base == null ? current : base).toBuilder()
                .attributes(attributes).updatedAt(now).build()) {
          store.replace(current.secret(), updated);
        }
      }
    }
  }

  private void erase(CredentialStore store, GitCredentialRequest request)
      throws CredentialStoreException {
    for (CredentialMetadata metadata : store.list()) {
      if (!metadata.id().service().startsWith(GitCredentialRequest.SERVICE_PREFIX)
          || !request.matches(storedUrl(metadata), HelperNames.username(metadata))) {
        continue;
      }
      if (request.password != null) {
        Optional<Credential> found = store.get(metadata.id());
        if (found.isEmpty()) {
          continue;
        }
        boolean same;
        try (Credential credential = found.get();
            GitSecret secret = GitSecret.decode(credential.secret(),
                credential.metadata().attributes().get(GitSecret.FORMAT))) {
          same = secret.password.sameAs(request.password);
        }
        // Not the password git rejected: someone stored a new one since; keep it.
        if (!same) {
          continue;
        }
      }
      store.delete(metadata.id());
    }
  }
}
