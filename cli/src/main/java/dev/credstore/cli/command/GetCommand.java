package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialNotFoundException;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.FastGet;
import dev.credstore.cli.output.Describe;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.Context;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ResolvedToken;
import dev.credstore.runtime.TokenResolver;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "get",
    description = {
        "Prints the secret for SERVICE and a newline on standard output, and nothing else.",
        "For the default account, the service's own environment variable overrides the store "
            + "(k6: K6_CLOUD_TOKEN, platformsh: PLATFORMSH_CLI_TOKEN, upsun: UPSUN_CLI_TOKEN, "
            + "appcircle: AC_ACCESS_TOKEN, plus any in config.json); --no-env ignores it."},
    mixinStandardHelpOptions = true)
public final class GetCommand implements Callable<Integer> {

  @ParentCommand Credstore root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class)
  String service;

  @Option(names = "--account", paramLabel = "NAME", description = "Account (default: default).")
  String account;

  @Option(names = "--json",
      description = "Print one JSON object with the secret, its source and metadata.")
  boolean json;

  @Option(names = "--no-env", description = "Ignore the service's environment variable.")
  boolean noEnv;

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    return get(root.context, root.global, service, account, json, noEnv,
        spec.commandLine().getOut(), spec.commandLine().getErr());
  }

  /** The command itself, shared with {@link FastGet}, which reaches it without picocli. */
  public static int get(Context context, GlobalOptions global, String service, String account,
      boolean json, boolean noEnv, PrintWriter out, PrintWriter err)
      throws CredentialStoreException, IOException {
    CredentialId id = CredentialId.of(service, account);
    StoreSession session = StoreSession.load(context, global);
    TokenResolver resolver =
        new TokenResolver(KnownServices.load(session.settings), context.environment());
    Optional<ResolvedToken> found =
        resolver.resolve(id, !noEnv, () -> session.open(err).store);
    if (found.isEmpty()) {
      throw new CredentialNotFoundException("not logged in to " + Describe.id(id) + "; run: "
          + Describe.command("login", id));
    }
    try (ResolvedToken token = found.get()) {
      if (global.verbose && token.environmentVariable().isPresent()) {
        err.println("credstore: using " + token.environmentVariable().get()
            + " from the environment (--no-env reads the store instead)");
      }
      char[] secret = token.secret().revealChars();
      try {
        if (json) {
          writeJson(out, token, secret, context, global.prettyJson(context));
        } else {
          out.write(secret);
          out.write('\n');
        }
        out.flush();
      } finally {
        Arrays.fill(secret, '\0');
      }
    }
    return ExitCodes.OK;
  }

  private static void writeJson(PrintWriter out, ResolvedToken token, char[] secret,
      Context context, boolean pretty) throws IOException {
    try (JsonGenerator generator = Formats.json(out, pretty)) {
      generator.writeStartObject();
      generator.writeStringField("source",
          token.environmentVariable().isPresent() ? "environment" : "store");
      generator.writeStringField("environmentVariable",
          token.environmentVariable().orElse(null));
      if (token.metadata().isPresent()) {
        Formats.metadataFields(generator, token.metadata().get(), context.clock().instant());
      } else {
        generator.writeStringField("service", token.id().service());
        generator.writeStringField("account", token.id().account());
      }
      generator.writeFieldName("secret");
      generator.writeString(secret, 0, secret.length);
      generator.writeEndObject();
    }
    out.write('\n');
  }
}
