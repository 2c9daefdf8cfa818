package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "list",
    description = {"Lists stored credentials without their secrets: service, account, kind, key "
        + "name, creation and rotation times, age of the secret, attributes.",
        "Standard output carries the table (or with --json the array) and nothing else; an "
            + "empty store prints nothing there and says so on standard error."})
final class ListCommand extends BaseCommand {

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class,
      description = "Only the credentials of this service.")
  String service;

  @Option(names = "--json", description = "Print a JSON array, one object per credential.")
  boolean json;

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    PrintWriter out = out();
    StoreSession session = session();
    Instant now = context().clock().instant();
    try (Opened opened = session.open(err())) {
      List<CredentialMetadata> credentials = opened.store()
          .list(warning -> err().println("credstore: warning: " + warning)).stream()
          .filter(metadata -> service == null || metadata.id().service().equals(service))
          .toList();
      if (json) {
        try (JsonGenerator generator = Formats.json(out, global().prettyJson(context()))) {
          generator.writeStartArray();
          for (CredentialMetadata metadata : credentials) {
            generator.writeStartObject();
            Formats.metadataFields(generator, metadata, now);
            generator.writeEndObject();
          }
          generator.writeEndArray();
        }
        out.write('\n');
      } else {
        // Standard output is the table and nothing else, for scripts; where it came from is in
        // 'credstore status'.
        if (credentials.isEmpty()) {
          err().println("credstore: no credentials stored"
              + (service == null ? "" : " for " + service) + " in " + opened.where());
        } else {
          out.print(Formats.credentialTable(credentials, now));
        }
      }
    }
    return ExitCodes.OK;
  }
}
