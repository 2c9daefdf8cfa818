package dev.credstore.cli.migrate;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.credstore.api.ConfigurationException;
import dev.credstore.runtime.KnownServices;
import java.nio.file.Path;
import java.util.List;

/**
 * Coverage-guided fuzzing of every moving source's reading and surgery. Under plain {@code mvn
 * verify} the committed inputs in {@code src/test/resources/dev/credstore/cli/migrate/
 * SourcesFuzzTestInputs/} are replayed; {@code JAZZER_FUZZ=1} fuzzes. A clean {@link
 * ConfigurationException} is the only acceptable failure, and a file a source rewrote must hold
 * nothing for that source to move any more (so a second run changes nothing).
 */
class SourcesFuzzTest {

  private static final List<PlaintextSource> SOURCES = Sources.moving(KnownServices.builtIn(),
      null);

  @FuzzTest(maxDuration = "30s")
  void scan_everySource_acceptsOrRejectsCleanly_andRewritesToNothingLeft(byte[] input) {
    for (PlaintextSource source : SOURCES) {
      for (Path name : List.of(Path.of("/fuzz/config.yaml"), Path.of("/fuzz/hosts.yml"))) {
        byte[] rewritten = null;
        try (Scan scan = source.scan(name, input)) {
          rewritten = scan.rewritten();
        } catch (ConfigurationException expected) {
          continue;
        }
        if (rewritten == null) {
          continue;
        }
        try (Scan again = source.scan(name, rewritten)) {
          if (!again.secrets().isEmpty()) {
            throw new AssertionError(source.tool() + " left a secret it would move again");
          }
        } catch (ConfigurationException e) {
          throw new AssertionError(source.tool() + " rewrote a file it cannot read back", e);
        }
      }
    }
  }
}
