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

@Command(name = "list",
    description = "Lists stored credentials without their secrets: service, account, kind, key "
        + "name, creation and rotation times, age of the secret, attributes.",
    mixinStandardHelpOptions = true)
final class ListCommand extends BaseCommand {

  @Option(names = "--json", description = "Print a JSON array, one object per credential.")
  boolean json;

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    PrintWriter out = out();
    StoreSession session = session();
    Instant now = context().clock().instant();
    try (Opened opened = session.open(err())) {
      List<CredentialMetadata> credentials = opened.store.list();
      if (json) {
        try (JsonGenerator generator = Formats.json(out)) {
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
        if (credentials.isEmpty()) {
          out.println("no credentials stored");
        } else {
          out.print(Formats.credentialTable(credentials, now));
        }
        out.println();
        out.println("backend: " + opened.selected.id() + " (" + opened.selected.reason() + ")");
        out.println("store:   " + opened.where());
      }
    }
    return ExitCodes.OK;
  }
}
