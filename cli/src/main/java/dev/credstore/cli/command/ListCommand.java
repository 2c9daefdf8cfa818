package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "list",
    description = {"Lists stored credentials without their secrets: service, account, kind, key "
        + "name, creation and rotation times, age of the secret, attributes.",
        "Standard output carries the table (or with --json the array) and nothing else; an "
            + "empty store prints nothing there and says so on standard error."},
    mixinStandardHelpOptions = true)
final class ListCommand implements Callable<Integer> {

  @ParentCommand Credstore root;
  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "SERVICE",
      completionCandidates = Completions.Services.class,
      description = "Only the credentials of this service.")
  String service;

  @Option(names = "--json", description = "Print a JSON array, one object per credential.")
  boolean json;

  @Override
  public Integer call() throws CredentialStoreException, IOException {
    PrintWriter out = spec.commandLine().getOut();
    StoreSession session = StoreSession.load(root.context, root.global);
    Instant now = root.context.clock().instant();
    try (Opened opened = session.open(spec.commandLine().getErr())) {
      List<CredentialMetadata> credentials = opened.store.list().stream()
          .filter(metadata -> service == null || metadata.id().service().equals(service))
          .toList();
      if (json) {
        try (JsonGenerator generator = Formats.json(out, root.global.prettyJson(root.context))) {
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
          spec.commandLine().getErr().println("credstore: no credentials stored"
              + (service == null ? "" : " for " + service) + " in " + opened.where());
        } else {
          out.print(table(credentials, now, null));
        }
      }
    }
    return ExitCodes.OK;
  }

  /** The credentials as a table; with {@code fingerprints} (status) a FINGERPRINT column too. */
  static String table(List<CredentialMetadata> credentials, Instant now,
      Map<CredentialId, String> fingerprints) {
    List<String[]> rows = new ArrayList<>();
    rows.add(withFingerprint(fingerprints, "FINGERPRINT", new String[] {"SERVICE", "ACCOUNT",
        "KIND", "KEY NAME", "CREATED", "ROTATED", "AGE", "ATTRIBUTES"}));
    for (CredentialMetadata metadata : credentials) {
      String fingerprint = fingerprints == null ? null
          : fingerprints.getOrDefault(metadata.id(), "-");
      rows.add(withFingerprint(fingerprints, fingerprint, new String[] {
          metadata.id().service(),
          metadata.id().account(),
          Formats.kind(metadata.kind()),
          metadata.keyName() == null ? "-" : metadata.keyName(),
          Formats.time(metadata.createdAt()),
          Formats.time(metadata.rotatedAt()),
          Formats.age(metadata.secretSetAt(), now),
          Formats.attributes(metadata.attributes())}));
    }
    return Formats.table(rows);
  }

  /** The row with {@code cell} after KIND when there are fingerprints, else unchanged. */
  private static String[] withFingerprint(Map<CredentialId, String> fingerprints, String cell,
      String[] row) {
    if (fingerprints == null) {
      return row;
    }
    String[] wider = new String[row.length + 1];
    System.arraycopy(row, 0, wider, 0, 3);
    wider[3] = cell;
    System.arraycopy(row, 3, wider, 4, row.length - 3);
    return wider;
  }
}
