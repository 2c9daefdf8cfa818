package dev.credstore.cli.migrate;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ~/.netrc} (or {@code $NETRC}), read by curl, ftp, git's netrc helper and Python: {@code
 * machine NAME login USER password PASS} tokens. Reported, not moved: every reader of the file has
 * its own way to ask for a password, and none asks credstore.
 */
final class NetrcSource implements ReportingSource {

  @Override
  public String tool() {
    return "netrc";
  }

  @Override
  public List<Path> files(Places places) {
    return List.of(places.absolute("NETRC").orElse(places.inHome(".netrc")));
  }

  @Override
  public List<Reported> report(Path file, byte[] bytes) {
    List<Reported> reported = new ArrayList<>();
    String[] words = new String(bytes, StandardCharsets.UTF_8).split("\\s+");
    String machine = "default";
    for (int i = 0; i < words.length; i++) {
      if (words[i].equals("machine") && i + 1 < words.length) {
        machine = words[i + 1];
      } else if (words[i].equals("default")) {
        machine = "default";
      } else if (words[i].equals("password") && i + 1 < words.length) {
        reported.add(new Reported("machine " + machine + " password", "a plaintext password: "
            + "use the tool's credential helper (for git: credstore git-credential) and remove "
            + "the line"));
        i++;
      }
    }
    java.util.Arrays.fill(words, null);
    return reported;
  }
}
