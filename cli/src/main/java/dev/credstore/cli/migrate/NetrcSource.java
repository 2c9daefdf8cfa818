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

  /** Walks the file's words as byte ranges; only machine names become Strings. */
  @Override
  public List<Reported> report(Path file, byte[] bytes) {
    List<Reported> reported = new ArrayList<>();
    String machine = "default";
    String previous = "";
    int i = 0;
    while (i < bytes.length) {
      while (i < bytes.length && isSpace(bytes[i])) {
        i++;
      }
      int start = i;
      while (i < bytes.length && !isSpace(bytes[i])) {
        i++;
      }
      if (start == i) {
        break;
      }
      if (previous.equals("password")) {
        reported.add(new Reported("machine " + machine + " password", "a plaintext password: "
            + "use the tool's credential helper (for git: credstore git-credential) and remove "
            + "the line"));
        previous = "";
        continue;
      }
      String word = isKeyword(bytes, start, i) ? new String(bytes, start, i - start,
          StandardCharsets.US_ASCII) : "";
      if (previous.equals("machine")) {
        machine = new String(bytes, start, i - start, StandardCharsets.UTF_8);
      } else if (word.equals("default")) {
        machine = "default";
      }
      previous = word;
    }
    return reported;
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  private static boolean isKeyword(byte[] bytes, int start, int end) {
    String[] keywords = {"machine", "default", "login", "password", "account", "macdef"};
    for (String keyword : keywords) {
      if (end - start == keyword.length() && new String(bytes, start, end - start,
          StandardCharsets.US_ASCII).equals(keyword)) {
        return true;
      }
    }
    return false;
  }
}
