package dev.credstore.cli.command;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.cli.console.SecretInput;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.SelectedBackend;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "login",
    description = {
        "Stores a token (or, with --api-key, an API key) for SERVICE.",
        "The secret is read from standard input with --token-stdin / --secret-stdin (one line), "
            + "else at a hidden prompt; never from the command line.",
        "Refuses to overwrite an existing credential unless --force is given. --force stores a "
            + "fresh credential: its creation time is now and no previous secret is kept."})
final class LoginCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "SERVICE", description = "e.g. k6, platformsh, upsun",
      completionCandidates = Completions.Services.class)
  String service;

  @Mixin AccountOption account;

  @Option(names = "--token-stdin", description = "Read the token from standard input (all of"
      + " it, less one trailing line break).")
  boolean tokenStdin;

  @Option(names = "--api-key", paramLabel = "NAME",
      description = "Store an API key with this (non-secret) key name instead of a token.")
  String apiKeyName;

  @Option(names = "--secret-stdin",
      description = "With --api-key: read the API secret from standard input.")
  boolean secretStdin;

  @Option(names = "--stack", paramLabel = "SLUG_OR_URL",
      description = "Stack slug or URL, kept as attribute 'stack'.")
  String stack;

  @Option(names = "--project", paramLabel = "ID", description = "Kept as attribute 'project'.")
  String project;

  @Option(names = "--org", paramLabel = "ID", description = "Kept as attribute 'org'.")
  String org;

  @Mixin MultilineOption multiline;

  @Option(names = "--force", description = "Replace an existing credential.")
  boolean force;

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = err();
    CredentialId id = CredentialId.of(service, account.name);
    boolean apiKey = apiKeyName != null;
    if (apiKey && tokenStdin) {
      throw new UsageException("--token-stdin is for tokens; with --api-key use --secret-stdin");
    }
    if (!apiKey && secretStdin) {
      throw new UsageException("--secret-stdin goes with --api-key; for a token use --token-stdin");
    }
    // Configuration and backend problems surface before anyone types a secret.
    StoreSession session = session();
    SelectedBackend selected = session.select();
    Credential.Builder builder = Credential.builder(id);
    attribute(builder, "stack", stack);
    attribute(builder, "project", project);
    attribute(builder, "org", org);
    try (Opened opened = session.open(selected, err)) {
      // A login that will conflict fails before the secret is typed (an existing file store is
      // unlocked for this, so its passphrase comes first).
      if (!force && opened.store().list().stream().anyMatch(stored -> stored.id().equals(id))) {
        throw alreadyLoggedIn(id, null);
      }
      try (Secret secret = readSecret(id, apiKey)) {
        if (apiKey) {
          builder.apiKey(apiKeyName, secret);
        } else {
          builder.token(secret);
        }
      }
      try (Credential credential = builder.clock(context().clock()).build()) {
        store(opened, credential, id);
      }
      err.println("logged in to " + Describe.id(id) + (force ? " (replacing any previous one)" : "")
          + ", stored in " + opened.where());
    }
    return ExitCodes.OK;
  }

  private void store(Opened opened, Credential credential, CredentialId id)
      throws CredentialStoreException {
    if (force) {
      opened.store().put(credential);
      return;
    }
    try {
      opened.store().create(credential);
    } catch (CredentialConflictException e) {
      // Another process logged in while the secret was typed.
      throw alreadyLoggedIn(id, e);
    }
  }

  private static CredentialConflictException alreadyLoggedIn(CredentialId id,
      CredentialConflictException cause) {
    return new CredentialConflictException("already logged in to " + Describe.id(id)
        + "; use --force to replace the stored credential, or logout first ("
        + Describe.command("logout", id) + ")", cause);
  }

  private static void attribute(Credential.Builder builder, String name, String value) {
    if (value != null) {
      builder.attribute(name, value);
    }
  }

  private Secret readSecret(CredentialId id, boolean apiKey) {
    String what = apiKey ? "the API secret" : "the token";
    Secret secret;
    if ((tokenStdin || secretStdin) && !context().terminal().inputIsTerminal()) {
      secret = SecretInput.readAll(context().stdin(), what, multiline.enabled);
    } else if (!context().terminal().isPresent()) {
      throw new UsageException("no terminal to prompt for " + what + "; pipe it in with "
          + (apiKey ? "--secret-stdin" : "--token-stdin") + ", e.g. printf '%s\\n' \"$TOKEN\" | "
          + Describe.command("login", id) + (apiKey ? " --api-key " + apiKeyName + " --secret-stdin"
              : " --token-stdin"));
    } else {
      String prompt = apiKey
          ? "Secret of API key " + apiKeyName + " for " + Describe.id(id) + ": "
          : "Token for " + Describe.id(id) + ": ";
      // Typed at a terminal (also --token-stdin there, which would echo): hidden, and an empty
      // Enter asks again rather than failing after the user has done everything else.
      secret = SecretInput.prompt(context().terminal(), prompt);
      while (secret != null && secret.isBlank()) {
        secret.close();
        secret = SecretInput.prompt(context().terminal(),
            "Nothing entered (Ctrl-D to stop). " + prompt);
      }
      if (secret == null) {
        throw new UsageException("no " + (apiKey ? "API secret" : "token") + " entered");
      }
    }
    if (secret.isBlank()) {
      secret.close();
      throw new UsageException(what + " is empty or only whitespace; nothing was stored");
    }
    return secret;
  }
}
