package dev.credstore.cli.command;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.cli.output.Durations;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Formats;
import dev.credstore.cli.session.StoreSession.Opened;
import dev.credstore.cli.session.StoreSession;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@code status --max-age}: the credentials whose secret was set (created or last rotated) longer
 * ago than allowed, and exit {@value ExitCodes#POLICY} if there is any, for cron jobs and CI steps.
 */
final class MaxAgeCheck {

  private MaxAgeCheck() {}

  /** Credentials whose secret is strictly older than {@code maxAge} at {@code now}. */
  static List<CredentialMetadata> overdue(List<CredentialMetadata> credentials, Duration maxAge,
      Instant now) {
    return credentials.stream()
        .filter(metadata -> Duration.between(metadata.secretSetAt(), now).compareTo(maxAge) > 0)
        .toList();
  }

  static int run(StoreSession session, Duration maxAge, Instant now, boolean json,
      boolean pretty, PrintWriter out, PrintWriter err) throws CredentialStoreException, IOException {
    List<CredentialMetadata> all;
    String where;
    try (Opened opened = session.open(err)) {
      all = opened.store.list();
      where = opened.where();
    }
    List<CredentialMetadata> overdue = overdue(all, maxAge, now);
    if (json) {
      try (JsonGenerator generator = Formats.json(out, pretty)) {
        generator.writeStartObject();
        generator.writeNumberField("maxAgeSeconds", maxAge.getSeconds());
        generator.writeNumberField("checked", all.size());
        generator.writeArrayFieldStart("overdue");
        for (CredentialMetadata metadata : overdue) {
          generator.writeStartObject();
          Formats.metadataFields(generator, metadata, now);
          generator.writeEndObject();
        }
        generator.writeEndArray();
        generator.writeEndObject();
      }
      out.write('\n');
    } else if (overdue.isEmpty()) {
      out.println("no credential is older than " + Durations.format(maxAge) + " (" + all.size()
          + " checked in " + where + ")");
    } else {
      out.println(overdue.size() + " of " + all.size() + (all.size() == 1 ? " credential is" :
          " credentials are") + " older than " + Durations.format(maxAge) + "; rotate them with "
          + "'credstore rotate SERVICE':");
      out.print(ListCommand.table(overdue, now, null));
    }
    out.flush();
    return overdue.isEmpty() ? ExitCodes.OK : ExitCodes.POLICY;
  }
}
