package dev.credstore.cli.command;

import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes.UsageException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.TokenResolver;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logout",
    description = {
        "Removes the credential for SERVICE, or with --all every credential in the store.",
        "Idempotent: logging out of a credential that is not stored succeeds (exit 0) with a "
            + "note on standard error, so cleanup scripts need no special case."})
final class LogoutCommand extends BaseCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class)
  String service;

  @Mixin AccountOption account;

  @Option(names = "--all", description = "Remove every credential in the selected store; asks "
      + "first at a terminal.")
  boolean all;

  @Option(names = {"-y", "--yes"}, description = "With --all: do not ask (needed without a "
      + "terminal).")
  boolean yes;

  @Override
  public Integer call() throws CredentialStoreException {
    PrintWriter err = err();
    if (all && (service != null || account.name != null)) {
      throw new UsageException("--all removes every credential; do not name a service or account");
    }
    if (!all && service == null) {
      throw new UsageException("name a SERVICE to log out of, or use --all");
    }
    CredentialId id = all ? null : CredentialId.of(service, account.name);
    StoreSession session = session();
    try (Opened opened = session.open(err)) {
      if (all) {
        List<CredentialMetadata> stored = opened.store().list();
        if (stored.isEmpty()) {
          err.println("credstore: no credentials in " + opened.where() + "; nothing to remove");
          return ExitCodes.OK;
        }
        confirmAll(stored.size(), opened.where());
        int removed = 0;
        for (CredentialMetadata metadata : stored) {
          if (opened.store().delete(metadata.id())) {
            removed++;
          }
        }
        err.println("logged out of " + removed + (removed == 1 ? " credential" : " credentials")
            + " in " + opened.where());
      } else if (opened.store().delete(id)) {
        err.println("logged out of " + Describe.id(id) + ", removed from " + opened.where());
      } else {
        err.println("credstore: not logged in to " + Describe.id(id) + " in " + opened.where()
            + "; nothing to remove");
      }
    }
    if (id != null) {
      new TokenResolver(KnownServices.load(session.settings), context().environment())
          .overridingVariable(id)
          .ifPresent(variable -> err.println("credstore: note: " + variable
              + " is still set in the environment; 'credstore get " + id.service()
              + "' returns it"));
    }
    return ExitCodes.OK;
  }

  /** Removing everything is asked for at a terminal and must be --yes without one. */
  private void confirmAll(int count, String where) {
    if (yes) {
      return;
    }
    Terminal terminal = context().terminal();
    String what = count == 1 ? "the 1 credential" : "all " + count + " credentials";
    if (!terminal.isPresent()) {
      throw new UsageException("logout --all would remove " + what + " in " + where
          + "; there is no terminal to ask, so confirm with --yes");
    }
    String answer = terminal.readLine("Remove " + what + " in " + where + "? [y/N] ");
    if (answer == null || !(answer.equalsIgnoreCase("y") || answer.equalsIgnoreCase("yes"))) {
      // Not done what was asked, so not exit 0.
      throw new UsageException("not confirmed; nothing was removed");
    }
  }
}
