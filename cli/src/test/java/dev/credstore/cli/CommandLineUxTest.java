package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.cli.command.Credstore;
import dev.credstore.cli.console.ScriptedTerminal;
import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.session.Context;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The command as a new user meets it, in-process: help, typos, arguments that may be secrets,
 * help width, list and JSON for scripts, confirmations, fingerprints, exec with several services.
 * The prompts on a real terminal are in {@link TerminalUxIT}.
 */
class CommandLineUxTest {

  private static final String TOKEN = "ghp_Wq3eRt5yUi7oPa9sDf2gHj4kLz6xCv8bNm1Q";

  @TempDir Path home;
  private final Map<String, String> environment = new HashMap<>();
  private StringWriter out;
  private StringWriter err;

  @BeforeEach
  void setUp() {
    environment.put("HOME", home.toString());
    environment.put("XDG_CONFIG_HOME", home.resolve("config").toString());
    environment.put("XDG_DATA_HOME", home.resolve("data").toString());
    environment.put("CREDSTORE_BACKEND", "file");
    environment.put("CREDSTORE_PASSPHRASE", "ux test passphrase");
    environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
  }

  private int run(String... args) {
    return runWith(Terminal.none(), "", args);
  }

  private int runWith(Terminal terminal, String stdin, String... args) {
    out = new StringWriter();
    err = new StringWriter();
    Context context = new Context(environment,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), terminal,
        Clock.systemUTC());
    return Main.run(context, new PrintWriter(out), new PrintWriter(err), args);
  }

  private void login(String service, String token) {
    assertEquals(0, runWith(Terminal.none(), token + "\n", "login", service, "--token-stdin"),
        () -> err.toString());
  }

  // ---- finding your way

  @Test
  void help_withoutCommand_printsTheRootHelp_andExitsZero() {
    assertEquals(0, run("help"));
    assertTrue(out.toString().startsWith("Usage: credstore "), out::toString);
    assertTrue(out.toString().contains("Exit codes:"), out::toString);
    assertTrue(out.toString().contains("--backend"), "global options once, in the root help");
  }

  @Test
  void helpLogin_printsLoginsHelp_andExitsZero() {
    assertEquals(0, run("help", "login"), () -> err.toString());
    assertTrue(out.toString().startsWith("Usage: credstore login [OPTIONS] SERVICE"),
        out::toString);
  }

  @Test
  void helpExitCodes_listsEveryExitCode() {
    assertEquals(0, run("help", "exit-codes"));
    for (String code : List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11",
        "126", "127")) {
      assertTrue(out.toString().matches("(?s).*\n +" + code + "  \\S.*"), code + ":\n" + out);
    }
  }

  @Test
  void subcommandHelp_leavesExitCodesAndGlobalOptionsToTheRoot() {
    assertEquals(0, run("get", "--help"));
    String help = out.toString();
    assertFalse(help.contains("Exit codes:"), help);
    assertFalse(help.contains("--passphrase-file"), help);
    assertTrue(help.contains("credstore help exit-codes"), help);
    assertTrue(help.lines().count() < 30, help.lines().count() + " lines:\n" + help);
  }

  @Test
  void mistypedCommand_suggestsTheNearest_andExitsTwo() {
    assertEquals(2, run("lgin", "k6"));
    assertEquals("credstore: unknown command 'lgin'. Did you mean this? login (see 'credstore "
        + "--help')\n", err.toString());
    assertEquals(2, run("help", "statsu"));
    assertTrue(err.toString().contains("Did you mean this? status"), err::toString);
  }

  @Test
  void mistypedOption_suggestsTheNearest() {
    assertEquals(2, run("list", "--jsno"));
    assertTrue(err.toString().contains("unknown option '--jsno'. Did you mean this? --json"),
        err::toString);
  }

  @Test
  void tokenOnTheCommandLine_isNeverEchoed_andThePipeIsShown() {
    for (String[] args : List.of(new String[] {"login", "k6", TOKEN},
        new String[] {"login", "k6", "--token", TOKEN}, new String[] {"login", "k6", "--token=" + TOKEN},
        new String[] {"rotate", "k6", TOKEN}, new String[] {TOKEN})) {
      int code = run(args);
      assertEquals(2, code, String.join(" ", args));
      assertFalse(err.toString().contains(TOKEN.substring(4)), err.toString());
      assertFalse(out.toString().contains(TOKEN.substring(4)), out.toString());
      if (!args[0].equals(TOKEN)) {
        assertTrue(err.toString().contains("--token-stdin"), err::toString);
      }
    }
    assertEquals(2, run("login", "k6", "--token", TOKEN));
    assertTrue(err.toString().contains(
        "printf '%s\\n' \"$TOKEN\" | credstore login k6 --token-stdin"), err::toString);
  }

  @Test
  void help_followsColumns_andNeverWrapsAnExample() {
    CommandLine model = Credstore.commandLine(Context.system(), new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter()));
    List<String> commands = new ArrayList<>(List.of(""));
    commands.addAll(model.getSubcommands().keySet());
    for (int columns : new int[] {55, 80, 120}) {
      environment.put("COLUMNS", String.valueOf(columns));
      for (String command : commands) {
        assertEquals(0, command.isEmpty() ? run("--help") : run(command, "--help"), command);
        String help = out.toString();
        List<String> examples = examples(help);
        for (String line : help.lines().toList()) {
          // Wider only where a line is something to copy: an example, or a one-line synopsis.
          assertTrue(line.length() <= columns || examples.contains(line.strip())
              || line.startsWith("Usage: ") && !line.contains("  "),
              "wider than " + columns + " in " + command + ": " + line);
        }
        // A command to copy is one line: never "credstore" at a line's end with its
        // subcommand on the next (prose such as "the tools credstore knows" may wrap there).
        List<String> lines = help.lines().toList();
        for (int i = 0; i + 1 < lines.size(); i++) {
          String next = lines.get(i + 1).strip();
          boolean split = Pattern.compile("(^|\\s)credstore$").matcher(lines.get(i)).find()
              && model.getSubcommands().keySet().stream()
                  .anyMatch(name -> next.equals(name) || next.startsWith(name + " "));
          assertFalse(split, command + " at " + columns + ":\n" + help);
        }
      }
    }
    environment.put("COLUMNS", "120");
    assertEquals(0, run("login", "--help"));
    assertTrue(out.toString().lines().anyMatch(line -> line.length() > 80), "120 columns used");
  }

  private static List<String> examples(String help) {
    List<String> lines = new ArrayList<>();
    Matcher section = Pattern.compile("(?s)\nExamples:\n(.*?)\n\n").matcher(help);
    if (section.find()) {
      section.group(1).lines().map(String::strip).forEach(lines::add);
    }
    return lines;
  }

  @Test
  void completionCandidates_offerKnownServicesAndBackends() {
    CommandSpec root = Credstore.commandLine(Context.system(), new PrintWriter(new StringWriter()),
        new PrintWriter(new StringWriter())).getCommandSpec();
    List<String> services = new ArrayList<>();
    root.subcommands().get("login").getCommandSpec().positionalParameters().get(0)
        .completionCandidates().forEach(services::add);
    assertTrue(services.containsAll(List.of("k6", "platformsh", "upsun", "appcircle")),
        services::toString);
    List<String> backends = new ArrayList<>();
    root.findOption("--backend").completionCandidates().forEach(backends::add);
    assertEquals(List.of("auto", "keychain", "file", "pass"), backends);
  }

  // ---- output for scripts and people

  @Test
  void list_service_filters_andStdoutIsTheTableOnly() {
    login("k6", "k6-token-123");
    login("upsun", "upsun-token-123");
    assertEquals(0, run("list", "k6"), () -> err.toString());
    List<String> lines = out.toString().lines().toList();
    assertEquals(2, lines.size(), out::toString);
    assertTrue(lines.get(0).startsWith("SERVICE "), out::toString);
    assertTrue(lines.get(1).startsWith("k6 "), out::toString);
    assertEquals(0, run("list"));
    assertEquals(3, out.toString().lines().count(), out::toString);
    assertFalse(out.toString().contains("backend:"), out::toString);
    assertEquals(0, run("list", "nothing-here"));
    assertEquals("", out.toString());
    assertTrue(err.toString().contains("no credentials stored for nothing-here"), err::toString);
  }

  @Test
  void json_isCompactForScripts_indentedAtATerminal_unlessCompact() {
    login("k6", "k6-token-123");
    assertEquals(0, run("list", "--json"));
    assertEquals(1, out.toString().lines().count(), out::toString);
    ScriptedTerminal terminal = new ScriptedTerminal();
    terminal.interactive = true;
    assertEquals(0, runWith(terminal, "", "list", "--json"));
    assertTrue(out.toString().lines().count() > 5, out::toString);
    assertEquals(0, runWith(terminal, "", "list", "--json", "--compact"));
    assertEquals(1, out.toString().lines().count(), out::toString);
    assertEquals(0, runWith(terminal, "", "status", "--json", "--compact"));
    assertEquals(1, out.toString().lines().count(), out::toString);
  }

  @Test
  void status_showsAFingerprintPerCredential_neverTheSecret() {
    login("k6", TOKEN);
    assertEquals(0, run("status"), () -> err.toString());
    assertTrue(out.toString().matches("(?s).*FINGERPRINT.*\n  k6 +default +token +ghp_\\*\\*\\*\\*:"
        + "[0-9a-f]{4} .*"), out::toString);
    assertFalse(out.toString().contains(TOKEN.substring(4, 12)), out::toString);
    assertEquals(0, run("status", "--json"));
    assertTrue(out.toString().matches(".*\"fingerprint\":\"ghp_\\*\\*\\*\\*:[0-9a-f]{4}\".*\n"),
        out::toString);
  }

  @Test
  void backendTypo_getsTheSameExitCode_fromFlagVariableAndConfigFile() throws IOException {
    environment.remove("CREDSTORE_BACKEND");
    int fromFlag = run("list", "--backend", "fiel");
    int fromFlagOnGet = run("get", "k6", "--backend", "fiel");
    environment.put("CREDSTORE_BACKEND", "fiel");
    int fromVariable = run("list");
    int fromVariableOnGet = run("get", "k6");
    environment.remove("CREDSTORE_BACKEND");
    Path config = Files.createDirectories(home.resolve("config/credstore")).resolve("config.json");
    Files.writeString(config, "{\"backend\": \"fiel\"}");
    int fromConfig = run("list");
    int fromConfigOnGet = run("get", "k6");
    assertEquals(List.of(5, 5, 5, 5, 5, 5), List.of(fromFlag, fromFlagOnGet, fromVariable,
        fromVariableOnGet, fromConfig, fromConfigOnGet));
  }

  // ---- asking before guessing

  @Test
  void logoutAll_withoutTerminal_needsYes_andRemovesNothingWithout() {
    login("k6", "k6-token-123");
    login("upsun", "upsun-token-123");
    assertEquals(2, run("logout", "--all"));
    assertTrue(err.toString().contains("confirm with --yes"), err::toString);
    assertEquals(0, run("list"));
    assertEquals(3, out.toString().lines().count(), "nothing removed:\n" + out);
    assertEquals(0, run("logout", "--all", "--yes"), () -> err.toString());
    assertTrue(err.toString().contains("logged out of 2 credentials"), err::toString);
  }

  @Test
  void logoutAll_atATerminal_asks_andOnlyYesRemoves() {
    login("k6", "k6-token-123");
    ScriptedTerminal no = new ScriptedTerminal();
    no.lines.add("n");
    assertEquals(2, runWith(no, "", "logout", "--all"));
    assertTrue(no.prompts.get(0).startsWith("Remove the 1 credential in the file store at "),
        no.prompts::toString);
    assertEquals(0, run("get", "k6", "--no-env"), "still stored");
    ScriptedTerminal yes = new ScriptedTerminal();
    yes.lines.add("y");
    assertEquals(0, runWith(yes, "", "logout", "--all"), () -> err.toString());
    assertEquals(3, run("get", "k6", "--no-env"));
  }

  // ---- exec with several services

  @Test
  void exec_severalServices_eachSecretInItsOwnVariable() throws IOException {
    login("k6", "k6-token-123");
    login("upsun", "upsun-token-456");
    Path seen = home.resolve("seen.txt");
    assertEquals(0, run("exec", "--service", "k6", "--service", "upsun", "--", "sh", "-c",
        "printf '%s %s' \"$K6_CLOUD_TOKEN\" \"$UPSUN_CLI_TOKEN\" > " + seen), () -> err.toString());
    assertEquals("k6-token-123 upsun-token-456", Files.readString(seen));
    assertEquals(3, run("exec", "--service", "k6", "--service", "appcircle", "--", "true"));
    assertEquals(2, run("exec", "--service", "k6", "--service", "upsun", "--env", "X", "--",
        "true"));
  }
}
