package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Embed it" example is compiled from the README itself and run against a token
 * stored by the real command, so the documented code cannot drift from the API.
 */
class EmbeddingReadmeIT {

  private static final Path README = Path.of(System.getProperty("credstore.readme", "../README.md"));
  private static final String MARKER = "<!-- embed-example -->";

  @TempDir Path temp;

  @Test
  void readmeExample_resolvesTheLoggedInToken_honoursTheEnvOverride_andReportsNotFound()
      throws IOException {
    Path classes = compileReadmeExample();
    CliProcess cli = new CliProcess(temp);
    cli.set("CREDSTORE_PASSPHRASE", "embedding test passphrase");
    assertEquals(0, cli.runWithInput("tok-embed-4242\n", "login", "k6", "--token-stdin").exitCode());

    List<String> example = List.of(CliProcess.JAVA.toString(), "-cp",
        CliProcess.JAR + java.io.File.pathSeparator + classes, "K6Header");
    CliProcess.Result fromStore = cli.start(example, cli.home, null);
    assertEquals(0, fromStore.exitCode(), fromStore.toString());
    assertEquals("Authorization: Bearer tok-embed-4242\n", fromStore.out());

    cli.set("K6_CLOUD_TOKEN", "tok-from-env");
    CliProcess.Result fromEnv = cli.start(example, cli.home, null);
    assertEquals("Authorization: Bearer tok-from-env\n", fromEnv.out(), fromEnv.toString());
    cli.set("K6_CLOUD_TOKEN", null);

    assertEquals(0, cli.run("logout", "k6").exitCode());
    CliProcess.Result missing = cli.start(example, cli.home, null);
    assertEquals(3, missing.exitCode(), missing.toString());
    assertEquals("", missing.out());
    assertEquals("no token for k6/default (none stored, and K6_CLOUD_TOKEN is not set); run:"
        + " credstore login k6\n",
        missing.err());
  }

  private Path compileReadmeExample() throws IOException {
    String readme = Files.readString(README, StandardCharsets.UTF_8);
    int marker = readme.indexOf(MARKER);
    assertTrue(marker >= 0, "README has no " + MARKER);
    int start = readme.indexOf("```java\n", marker) + "```java\n".length();
    String source = readme.substring(start, readme.indexOf("```", start));
    assertTrue(source.lines().filter(l -> !l.isBlank()).count() <= 15,
        "the README promises an example of at most 15 lines");

    Path sources = Files.createDirectories(temp.resolve("example-src"));
    Path classes = Files.createDirectories(temp.resolve("example-classes"));
    Path file = Files.writeString(sources.resolve("K6Header.java"), source);
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    int status = javac.run(null, diagnostics, diagnostics, "-Xlint:all", "-Werror",
        "-cp", CliProcess.JAR.toString(), "-d", classes.toString(), file.toString());
    assertEquals(0, status, "README example does not compile:\n" + diagnostics);
    return classes;
  }
}
