package dev.credstore.cli.migrate;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.credstore.api.ConfigurationException;
import java.util.Map;

/**
 * Coverage-guided fuzzing of migrate's reading and surgery of plaintext configs. Under plain
 * {@code mvn verify} the committed inputs in {@code src/test/resources/dev/credstore/cli/migrate/
 * MigrateConfigFuzzTest/} are replayed; {@code JAZZER_FUZZ=1} fuzzes (see the README). A clean
 * {@link ConfigurationException} is the only acceptable failure; when a token is found, the
 * scrubbed file must have passed the parser's own check that exactly that member was removed.
 */
class MigrateConfigFuzzTest {

  private static final Map<String, String> K6_METADATA = Map.of(
      "stackID", "/collectors/cloud/stackID",
      "stack", "/collectors/cloud/stackURL",
      "project", "/collectors/cloud/defaultProjectID");

  @FuzzTest(maxDuration = "30s")
  void parse_k6Config_acceptsOrRejectsCleanly(byte[] json) {
    try (PlaintextConfig config =
        PlaintextConfig.parse(json, "/collectors/cloud/token", K6_METADATA)) {
      if (config.token().isPresent() && config.scrubbed().length >= json.length) {
        throw new AssertionError("scrubbing did not remove anything");
      }
    } catch (ConfigurationException expected) {
      // The only acceptable failure.
    }
  }
}
