package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.credstore.cli.command.Credstore;
import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.session.Context;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The picocli-free path for {@code get} must be indistinguishable from the picocli one. */
class FastGetTest {

  @TempDir java.nio.file.Path home;
  private final Map<String, String> env = new HashMap<>();
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T12:00:00Z"), ZoneOffset.UTC);

  @BeforeEach
  void storeTokens() {
    env.put("HOME", home.toString());
    env.put("CREDSTORE_BACKEND", "file");
    env.put("CREDSTORE_PASSPHRASE", "fast path passphrase");
    assertEquals(0, picocli("tok-default\n", "login", "k6", "--token-stdin").code());
    assertEquals(0, picocli("tok-ci\n", "login", "k6", "--account", "ci", "--token-stdin").code());
  }

  record Run(int code, String out, String err) {}

  private Run picocli(String stdin, String... args) {
    return run(stdin, true, args);
  }

  private Run run(String stdin, boolean viaPicocli, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Context context = new Context(env,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Terminal.none(), clock);
    PrintWriter o = new PrintWriter(out);
    PrintWriter e = new PrintWriter(err);
    int code = viaPicocli ? Credstore.commandLine(context, o, e).execute(args)
        : FastGet.parse(args).run(context, o, e);
    o.flush();
    e.flush();
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void everyFormItTakes_behavesExactlyLikePicocli() {
    List<String[]> forms = List.of(
        new String[] {"get", "k6"},
        new String[] {"get", "k6", "--json"},
        new String[] {"get", "--account", "ci", "k6"},
        new String[] {"get", "k6", "--account=ci", "--no-env"},
        new String[] {"--backend", "file", "get", "k6"},
        new String[] {"get", "k6", "--backend=file", "--no-env"},
        new String[] {"get", "absent"},
        new String[] {"get", "k6", "--backend", "vault"},
        new String[] {"get", "k6", "--store", home.resolve("none.cstore").toString()},
        new String[] {"get", "bad\u0001name"},
        new String[] {"get", "k6", "--passphrase-file", home.resolve("missing").toString()});
    List<String> differences = new ArrayList<>();
    for (boolean envOverride : new boolean[] {false, true}) {
      if (envOverride) {
        env.put("K6_CLOUD_TOKEN", "tok-from-env");
      }
      for (String[] args : forms) {
        assertNotNull(FastGet.parse(args), () -> "fast path declined " + List.of(args));
        Run slow = run("", true, args);
        Run fast = run("", false, args);
        if (!slow.equals(fast)) {
          differences.add(List.of(args) + " env=" + envOverride + ":\n  picocli " + slow
              + "\n  fast    " + fast);
        }
      }
    }
    assertEquals(List.of(), differences);
  }

  @Test
  void verboseErrors_startWithTheSameLine() {
    String[] args = {"--verbose", "get", "absent"};
    Run slow = run("", true, args);
    Run fast = run("", false, args);
    assertEquals(slow.code(), fast.code());
    assertEquals(slow.err().lines().findFirst(), fast.err().lines().findFirst());
  }

  @Test
  void anythingElse_isLeftToPicocli() {
    List<String[]> declined = List.of(
        new String[] {"get"}, new String[] {"get", "a", "b"}, new String[] {"get", "--help"},
        new String[] {"get", "-h", "k6"}, new String[] {"get", "@args.txt"},
        new String[] {"get", "k6", "--account"}, new String[] {"get", "k6", "--json", "--json"},
        new String[] {"--version"}, new String[] {"list"}, new String[] {"get", "k6", "--bogus"},
        new String[] {"--account", "ci", "get", "k6"}, new String[] {"get", "k6", "--json=true"},
        new String[] {"get", "--", "k6"}, new String[] {"get", "k6", "--backend", "--json"},
        new String[] {"login", "get"}, new String[] {});
    for (String[] args : declined) {
      assertNull(FastGet.parse(args), () -> "fast path took " + List.of(args));
    }
  }

  @Test
  void versionFlag_printsWhatPicocliPrints() {
    for (String flag : new String[] {"--version", "-V"}) {
      StringWriter out = new StringWriter();
      StringWriter err = new StringWriter();
      Context context = new Context(env, new ByteArrayInputStream(new byte[0]), Terminal.none(),
          clock);
      int code = Main.run(context, new PrintWriter(out), new PrintWriter(err), flag);
      assertEquals(picocli("", flag), new Run(code, out.toString(), err.toString()), flag);
    }
  }
}
