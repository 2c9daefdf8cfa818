package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.Secret;
import dev.credstore.cli.helper.GitCredentialRequest;
import dev.credstore.cli.helper.HelperNames;
import dev.credstore.cli.migrate.LineSurgery.Line;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * git-credential-store's files, {@code ~/.git-credentials} and {@code
 * ${XDG_CONFIG_HOME:-~/.config}/git/credentials}: one {@code protocol://user:password@host[/path]}
 * URL per line, user and password percent-encoded. Each moves into the entry {@code credstore
 * git-credential} serves and its line is removed; then {@code credential.helper} is pointed at
 * credstore where it named {@code store}, with {@code git config --global} itself.
 */
final class GitCredentialsSource implements PlaintextSource {

  /** What {@code credential.helper} becomes where it was {@code store}. */
  static final String HELPER = "!credstore git-credential";

  /** One parsed line; the password stays as its byte range. */
  record Entry(Line line, String protocol, String host, String path, String username,
      int passwordStart, int passwordEnd) {}

  @Override
  public String tool() {
    return "git";
  }

  @Override
  public Set<String> services() {
    return Set.of(); // git:<url>, served by credstore git-credential, not exec
  }

  @Override
  public List<Path> files(Places places) {
    Set<Path> files = new LinkedHashSet<>();
    files.add(places.inHome(".git-credentials"));
    files.add(places.configHome().resolve("git/credentials"));
    return new ArrayList<>(files);
  }

  @Override
  public Scan scan(Path file, byte[] bytes) throws ConfigurationException {
    List<Entry> entries = parse(bytes);
    if (entries.isEmpty()) {
      return Scan.nothing("no credential lines", List.of());
    }
    LineSurgery surgery = LineSurgery.of(bytes);
    List<FoundSecret> found = new ArrayList<>();
    try {
      for (Entry entry : entries) {
        byte[] raw = Arrays.copyOfRange(bytes, entry.passwordStart(), entry.passwordEnd());
        byte[] password = percentDecode(raw);
        Arrays.fill(raw, (byte) 0);
        try {
          found.add(new FoundSecret("line " + entry.line().number(), id(entry),
              HelperNames.attributes(url(entry), username(entry)), Secret.fromUtf8(password)));
        } catch (IllegalArgumentException e) {
          throw new ConfigurationException("line " + entry.line().number()
              + " has a password that is not UTF-8");
        } finally {
          Arrays.fill(password, (byte) 0);
        }
        surgery.removeLine(entry.line());
      }
      byte[] rewritten = surgery.result((before, after) -> {
        if (!parse(after).isEmpty()) {
          throw new ConfigurationException("credstore's edit left a credential line behind");
        }
        List<String> kept = new ArrayList<>();
        Set<Integer> removed = new java.util.HashSet<>();
        entries.forEach(e -> removed.add(e.line().number()));
        for (Line line : LineSurgery.split(before)) {
          if (!removed.contains(line.number())) {
            kept.add(LineSurgery.text(before, line));
          }
        }
        List<String> now = LineSurgery.split(after).stream()
            .map(line -> LineSurgery.text(after, line)).toList();
        if (!kept.equals(now)) {
          throw new ConfigurationException("credstore's edit would change other lines; the file "
              + "is left as it is");
        }
      });
      return Scan.rewrite(found, rewritten, List.of());
    } catch (ConfigurationException | RuntimeException e) {
      found.forEach(FoundSecret::close);
      throw Scan.problem(e);
    }
  }

  /**
   * The entry credstore's git helper serves for git's request for this URL, named as it names
   * them ({@link HelperNames}: {@code git:<protocol>://<host>[/<path>]} and the username, or
   * bounded names with a hash when too long).
   */
  static CredentialId id(Entry entry) {
    return new CredentialId(HelperNames.service(GitCredentialRequest.SERVICE_PREFIX, url(entry)),
        HelperNames.account(username(entry)));
  }

  private static String url(Entry entry) {
    return entry.protocol() + "://" + entry.host()
        + (entry.path().isEmpty() ? "" : "/" + entry.path());
  }

  /** The username git would send for this line; none for an empty one. */
  private static String username(Entry entry) {
    return entry.username().isEmpty() ? null : entry.username();
  }

  /**
   * The lines git-credential-store would use: a URL with a scheme, a host and a password (it
   * skips every other line, and so do we: they stay).
   */
  static List<Entry> parse(byte[] bytes) {
    List<Entry> entries = new ArrayList<>();
    for (Line line : LineSurgery.split(bytes)) {
      parse(bytes, line).ifPresent(entries::add);
    }
    return entries;
  }

  private static Optional<Entry> parse(byte[] bytes, Line line) {
    int scheme = indexOf(bytes, line.start(), line.end(), "://");
    if (scheme <= line.start()) {
      return Optional.empty();
    }
    int authorityStart = scheme + 3;
    int authorityEnd = authorityStart;
    while (authorityEnd < line.end() && bytes[authorityEnd] != '/') {
      authorityEnd++;
    }
    int at = -1;
    for (int i = authorityEnd - 1; i >= authorityStart; i--) {
      if (bytes[i] == '@') {
        at = i;
        break;
      }
    }
    if (at < 0) {
      return Optional.empty(); // no user info: no password either
    }
    int colon = authorityStart;
    while (colon < at && bytes[colon] != ':') {
      colon++;
    }
    if (colon >= at - 1 || at + 1 >= authorityEnd) {
      return Optional.empty();
    }
    String protocol = ascii(bytes, line.start(), scheme);
    String username = decodeText(Arrays.copyOfRange(bytes, authorityStart, colon));
    String host = decodeText(Arrays.copyOfRange(bytes, at + 1, authorityEnd));
    String path = authorityEnd < line.end()
        ? decodeText(Arrays.copyOfRange(bytes, authorityEnd + 1, line.end())) : "";
    if (!protocol.matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      return Optional.empty();
    }
    return Optional.of(new Entry(line, protocol, host, path, username, colon + 1, at));
  }

  private static String ascii(byte[] bytes, int from, int to) {
    return new String(bytes, from, to - from, StandardCharsets.US_ASCII);
  }

  private static String decodeText(byte[] encoded) {
    byte[] decoded = percentDecode(encoded);
    return new String(decoded, StandardCharsets.UTF_8);
  }

  /** %XX to its byte, as git's url_decode does; everything else as is. */
  static byte[] percentDecode(byte[] encoded) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(encoded.length);
    for (int i = 0; i < encoded.length; i++) {
      if (encoded[i] == '%' && i + 2 < encoded.length && hex(encoded[i + 1]) >= 0
          && hex(encoded[i + 2]) >= 0) {
        out.write(hex(encoded[i + 1]) * 16 + hex(encoded[i + 2]));
        i += 2;
      } else {
        out.write(encoded[i]);
      }
    }
    return out.toByteArray();
  }

  private static int hex(byte b) {
    return Character.digit(b, 16);
  }

  private static int indexOf(byte[] bytes, int from, int to, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = from; i <= to - n.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (bytes[i + j] != n[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** Where the global credential.helper is exactly {@code store}, credstore's helper instead. */
  @Override
  public List<String> afterRewrite(Path file, Scan scan, Places places) throws IOException {
    List<String> helpers;
    try {
      // "file:PATH<TAB>KEY VALUE" for credential.helper and credential.<url>.helper, in the
      // user's global files (~/.gitconfig and $XDG_CONFIG_HOME/git/config alike).
      helpers = git(places, "config", "--global", "--show-origin", "--get-regexp",
          "^credential\\.(.*\\.)?helper$");
    } catch (GitNotFound e) {
      return List.of("git is not on PATH, so its config was not changed; once it is: git config "
          + "--global --add credential.helper '" + HELPER + "'");
    }
    List<String> done = new ArrayList<>();
    boolean credstore = false;
    for (String line : helpers) {
      int tab = line.indexOf('\t');
      int space = line.indexOf(' ', tab + 1);
      if (!line.startsWith("file:") || tab < 0 || space < 0) {
        continue;
      }
      String origin = line.substring("file:".length(), tab);
      String key = line.substring(tab + 1, space);
      String value = line.substring(space + 1);
      credstore |= value.equals(HELPER);
      if (value.equals("store")) {
        git(places, "config", "--file", origin, "--replace-all", key, HELPER, "^store$");
        done.add("git config " + key + " in " + origin + ": store is now " + HELPER);
        credstore = true;
      }
    }
    if (!credstore) {
      done.add("git's global credential.helper does not name store; for git to use credstore: "
          + "git config --global --add credential.helper '" + HELPER + "'");
    }
    return done;
  }

  /** git itself is missing: nothing of it to configure. */
  static final class GitNotFound extends IOException {
    GitNotFound(IOException cause) {
      super("git is not on PATH", cause);
    }
  }

  /** Runs git with our environment (no secret in it or its arguments); its stdout lines. */
  static List<String> git(Places places, String... arguments) throws IOException {
    List<String> command = new ArrayList<>(List.of("git"));
    command.addAll(List.of(arguments));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(places.environment());
    builder.environment().remove("CREDSTORE_PASSPHRASE");
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      if (String.valueOf(e.getMessage()).contains("error=2,")) {
        throw new GitNotFound(e);
      }
      throw e;
    }
    byte[] out = process.getInputStream().readAllBytes();
    byte[] err = process.getErrorStream().readAllBytes();
    try {
      int code = process.waitFor();
      // git config --get-regexp exits 1 when no key matches.
      if (code != 0 && !(code == 1 && Arrays.asList(arguments).contains("--get-regexp"))) {
        throw new IOException("git " + String.join(" ", Arrays.asList(arguments).subList(0, 3))
            + " exited " + code + ": " + new String(err, StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running git", e);
    }
    return new String(out, StandardCharsets.UTF_8).lines().toList();
  }
}
