package dev.credstore.cli.command;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStore;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.helper.GitCredentialRequest;
import dev.credstore.cli.helper.HelperInput;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.cli.session.StoreSession.Opened;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "git-credential",
    description = {
        "A git credential helper (set it up as in the example below). Speaks git's protocol (key=value lines on "
            + "standard input and output); ACTION is get, store or erase, and any other action is "
            + "ignored, as the protocol asks.",
        "Credentials live under service git:<protocol>://<host>[/<path>] (the path only with "
            + "credential.useHttpPath) and the username as account. 'store' of a changed password "
            + "is a rotation (the old one is kept as the previous secret); 'erase' removes the "
            + "credential only if its password is the one git rejected."},
    mixinStandardHelpOptions = true)
final class GitCredentialCommand extends BaseCommand {

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
      Optional<String> service = request.service();
      if (service.isEmpty()) {
        return ExitCodes.OK;
      }
      StoreSession session = session();
      try (Opened opened = session.open(err())) {
        switch (action) {
          case "get" -> get(opened.store, service.get(), request);
          case "store" -> store(opened.store, service.get(), request);
          default -> erase(opened.store, service.get(), request);
        }
      }
    } finally {
      Arrays.fill(input, (byte) 0);
    }
    return ExitCodes.OK;
  }

  private void get(CredentialStore store, String service, GitCredentialRequest request)
      throws CredentialStoreException {
    Optional<CredentialId> id = request.hasUsername()
        ? Optional.of(new CredentialId(service, request.username))
        : onlyOrDefault(store, service);
    if (id.isEmpty()) {
      return; // nothing (or nothing unambiguous) stored: git asks the next helper or the user
    }
    Optional<Credential> found = store.get(id.get());
    if (found.isEmpty()) {
      return;
    }
    PrintWriter out = out();
    try (Credential credential = found.get()) {
      char[] secret = credential.secret().revealChars();
      try {
        if (!CredentialId.DEFAULT_ACCOUNT.equals(credential.id().account())) {
          out.print("username=" + credential.id().account() + "\n");
        }
        out.print("password=");
        out.write(secret);
        out.print("\n");
        out.flush();
      } finally {
        Arrays.fill(secret, '\0');
      }
    }
  }

  // Without a username: the one account stored for the service, else its default account.
  private static Optional<CredentialId> onlyOrDefault(CredentialStore store, String service)
      throws CredentialStoreException {
    List<CredentialId> ids = store.list().stream().map(CredentialMetadata::id)
        .filter(id -> id.service().equals(service)).toList();
    if (ids.size() == 1) {
      return Optional.of(ids.get(0));
    }
    return ids.stream().filter(id -> id.account().equals(CredentialId.DEFAULT_ACCOUNT)).findFirst();
  }

  private void store(CredentialStore store, String service, GitCredentialRequest request)
      throws CredentialStoreException {
    if (request.password == null || request.password.isBlank()) {
      return; // nothing worth keeping
    }
    CredentialId id = new CredentialId(service, request.account());
    Optional<Credential> existing = store.get(id);
    if (existing.isEmpty()) {
      try (Credential credential = Credential.builder(id).token(request.password)
          .clock(context().clock()).build()) {
        try {
          store.create(credential);
        } catch (CredentialConflictException raced) {
          store.put(credential); // another git process stored it meanwhile; ours is newer
        }
      }
      return;
    }
    try (Credential current = existing.get()) {
      if (current.secret().sameAs(request.password)) {
        return; // git approves every successful use; nothing changed
      }
      try (Credential rotated = current.rotatedTo(request.password,
          context().clock().instant())) {
        store.replace(current.secret(), rotated);
      }
    }
  }

  private void erase(CredentialStore store, String service, GitCredentialRequest request)
      throws CredentialStoreException {
    List<CredentialId> ids = request.hasUsername()
        ? List.of(new CredentialId(service, request.username))
        : store.list().stream().map(CredentialMetadata::id)
            .filter(id -> id.service().equals(service)).toList();
    for (CredentialId id : ids) {
      Optional<Credential> found = store.get(id);
      if (found.isEmpty()) {
        continue;
      }
      boolean matches;
      try (Credential credential = found.get()) {
        matches = request.password == null || credential.secret().sameAs(request.password);
      }
      // Not the password git rejected: someone stored a new one since; keep it.
      if (matches) {
        store.delete(id);
      }
    }
  }
}
