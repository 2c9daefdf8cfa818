package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.Context;
import dev.credstore.cli.session.GlobalOptions;
import dev.credstore.cli.session.StoreSession;
import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ResolvedToken;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get",
    description = {
        "Prints the secret for SERVICE and a newline on standard output, and nothing else.",
        "For the default account, the service's own environment variable overrides the store "
            + "(k6: K6_CLOUD_TOKEN, platformsh: PLATFORMSH_CLI_TOKEN, upsun: UPSUN_CLI_TOKEN, "
            + "appcircle: AC_ACCESS_TOKEN, plus any in config.json); --no-env ignores it."})
public final class GetCommand extends BaseCommand {

  @Parameters(index = "0", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class)
  String service;

  @Mixin AccountOption account;

  @Option(names = "--json",
      description = "Print one JSON object with the secret, its source and metadata.")
  boolean json;

  @Mixin NoEnvOption noEnv;

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    return get(context(), global(), service, account.name, json, noEnv.set,
        out(), err());
  }

  /** The command itself, shared with {@code FastGet}, which reaches it without picocli. */
  public static int get(Context context, GlobalOptions global, String service, String account,
      boolean json, boolean noEnv, PrintWriter out, PrintWriter err)
      throws CredentialStoreException, IOException {
    CredentialId id = CredentialId.of(service, account);
    StoreSession session = StoreSession.load(context, global);
    try (ResolvedToken token =
        session.resolveToken(KnownServices.load(session.settings), id, !noEnv, err)) {
      if (global.verbose() && token.environmentVariable().isPresent()) {
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
