package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.Credential;
import dev.credstore.api.CredentialConflictException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.Secret;
import dev.credstore.cli.console.SecretInput;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.Durations;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.process.ChildProcess;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.SelectedBackend;
import dev.credstore.runtime.TokenResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "rotate",
    description = {
        "Replaces the secret of SERVICE with a new one and keeps the old one as the previous "
            + "secret, so that --rollback can restore it. The new secret is read like login's: "
            + "from standard input with --token-stdin or --secret-stdin (either, whatever the "
            + "kind), else at a hidden prompt.",
        "The replacement is atomic and compare-and-replace: if the credential changed since it "
            + "was read, nothing is written (exit 7).",
        "--verify -- CMD [ARGS...] first runs CMD with the new secret in the service's "
            + "environment variable (or --env VAR), with empty standard input and its output on "
            + "standard error, the secret masked as ****; if it exits non-zero or outlasts "
            + "--verify-timeout, nothing changes "
            + "(exit 4).",
        "--rollback makes the previous secret current again and keeps no previous secret (the "
            + "rolled-back one is presumed bad); exit 3 if there is none. Its age then counts "
            + "from the credential's creation, since when the restored secret was set is not kept."})
final class RotateCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class)
  String service;

  @Parameters(index = "1..*", paramLabel = "CMD",
      description = "With --verify: the command and its arguments, after --.")
  List<String> verifyCommand;

  @Mixin AccountOption account;

  @Option(names = {"--token-stdin", "--secret-stdin"},
      description = "Read the new secret from standard input (all of it, less one trailing"
          + " line break).")
  boolean stdin;

  @Mixin MultilineOption multiline;

  @Option(names = "--rollback", description = "Restore the previous secret instead.")
  boolean rollback;

  @Option(names = "--verify",
      description = "Run CMD (given after --) with the new secret before storing it.")
  boolean verify;

  @Option(names = "--env", paramLabel = "VAR",
      description = "With --verify: the variable for the secret (default: the service's own, "
          + "e.g. K6_CLOUD_TOKEN).")
  String env;

  @Option(names = "--verify-timeout", paramLabel = "DURATION", defaultValue = "2m",
      description = "With --verify: stop CMD and fail after this long (default: ${DEFAULT-VALUE}; "
          + "e.g. 30s, 5m).")
  String verifyTimeout;

  @Option(names = "--json", description = "Print the rotated credential's metadata as JSON.")
  boolean json;

  @Override
  public Integer call() throws CredentialStoreException, IOException, InterruptedException {
    PrintWriter err = err();
    CredentialId id = CredentialId.of(service, account.name);
    boolean hasCommand = verifyCommand != null && !verifyCommand.isEmpty();
    if (verify != hasCommand) {
      throw new UsageException(verify ? "--verify needs a command after --, e.g. "
          + "credstore rotate k6 --verify -- ./check-k6-token (a command that reads the token"
          + " from K6_CLOUD_TOKEN and exits 0 if it works)"
          : "unexpected arguments after SERVICE (not shown: they may be a secret); secrets "
              + "never come from the command line, pipe them in with --token-stdin, and a "
              + "verification command goes after --verify --");
    }
    if (rollback && stdin) {
      throw new UsageException("--rollback restores the previous secret; it reads no new one");
    }
    if (!verify && env != null) {
      throw new UsageException("--env goes with --verify");
    }
    Duration timeout = Durations.parse(verifyTimeout, "--verify-timeout");
    StoreSession session = session();
    KnownServices services = KnownServices.load(session.settings);
    String variable = verify ? ChildProcess.variableFor(services, id, env) : null;
    SelectedBackend selected = session.select();
    Instant now = context().clock().instant();
    try (Opened opened = session.open(selected, err);
        Credential current = opened.store().get(id).orElseThrow(() ->
            new CredentialNotFoundException("not logged in to " + Describe.id(id) + "; run: "
                + Describe.command("login", id)))) {
      Credential replacement;
      if (rollback) {
        Secret previous = current.previousSecret().orElseThrow(() ->
            new CredentialNotFoundException(Describe.id(id) + " has no previous secret to roll "
                + "back to"));
        if (verify) {
          ChildProcess.verify(verifyCommand, context().environment(), variable, previous,
              timeout, err);
        }
        replacement = current.toBuilder().secret(previous).previousSecret(null).rotatedAt(null)
            .updatedAt(now).build();
      } else {
        try (Secret next = readSecret(id)) {
          if (next.sameAs(current.secret())) {
            throw new UsageException("the new secret is the same as the stored one; nothing was"
                + " changed");
          }
          if (verify) {
            ChildProcess.verify(verifyCommand, context().environment(), variable, next,
                timeout, err);
          }
          replacement = current.rotatedTo(next, now);
        }
      }
      try (Credential stored = replacement) {
        try {
          opened.store().replace(current.secret(), stored);
        } catch (CredentialConflictException e) {
          throw new CredentialConflictException(Describe.id(id) + " changed while it was being "
              + (rollback ? "rolled back" : "rotated") + "; nothing was replaced, run the command "
              + "again", e);
        }
        err.println((rollback ? "rolled back " + Describe.id(id) + " to its previous secret"
            : "rotated " + Describe.id(id) + "; the previous secret is kept for '"
                + Describe.command("rotate", id) + " --rollback'")
            + (verify ? " (verified)" : "") + ", in " + opened.where());
        if (json) {
          writeJson(out(), stored, now);
        }
      }
    }
    new TokenResolver(services, context().environment()).overridingVariable(id)
        .ifPresent(set -> err.println("credstore: note: " + set + " is set in the environment; "
            + "'credstore get " + id.service() + "' returns it, not the stored secret"));
    return ExitCodes.OK;
  }

  private Secret readSecret(CredentialId id) {
    Secret secret;
    if (stdin) {
      secret = SecretInput.readAll(context().stdin(), "the new secret", multiline.enabled);
    } else if (!context().terminal().isPresent()) {
      throw new UsageException("no terminal to prompt for the new secret; pipe it in with "
          + "--token-stdin, e.g. printf '%s\\n' \"$NEW_TOKEN\" | "
          + Describe.command("rotate", id) + " --token-stdin");
    } else {
      secret = SecretInput.prompt(context().terminal(),
          "New secret for " + Describe.id(id) + ": ");
      if (secret == null) {
        throw new UsageException("no new secret entered; nothing was changed");
      }
    }
    if (secret.isBlank()) {
      secret.close();
      throw new UsageException("the new secret is empty or only whitespace; nothing was changed");
    }
    return secret;
  }

  private void writeJson(PrintWriter out, Credential stored, Instant now) throws IOException {
    try (JsonGenerator generator = Formats.json(out, global().prettyJson(context()))) {
      generator.writeStartObject();
      generator.writeStringField("action", rollback ? "rolledBack" : "rotated");
      generator.writeBooleanField("verified", verify);
      Formats.metadataFields(generator, stored.metadata(), now);
      generator.writeEndObject();
    }
    out.write('\n');
    out.flush();
  }
}
