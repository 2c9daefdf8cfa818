package dev.credstore.file;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.credstore.api.Credential;
import dev.credstore.api.IntegrityException;

/**
 * Coverage-guided fuzzing of everything that reads untrusted bytes before or after decryption.
 * Under plain {@code mvn verify} these run once per committed input in
 * {@code src/test/resources/dev/credstore/file/StoreFileFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} they fuzz (see the README). Any exception other than the clean errors
 * below is a finding.
 */
class StoreFileFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse_acceptsOrRejectsCleanly(byte[] file) {
    try {
      StoreFileFormat.parse(file, "fuzz");
    } catch (IntegrityException expected) {
      // The only acceptable failure.
    }
  }

  /** Past the checksum, which a fuzzer cannot forge: reaches the version, KDF and length checks. */
  @FuzzTest(maxDuration = "30s")
  void parseWithValidChecksum_acceptsOrRejectsCleanly(byte[] body) {
    byte[] file = java.util.Arrays.copyOf(body, body.length + StoreFileFormat.CHECKSUM_LENGTH);
    System.arraycopy(StoreFileFormat.sha256(body, body.length), 0, file, body.length,
        StoreFileFormat.CHECKSUM_LENGTH);
    try {
      StoreFileFormat.parse(file, "fuzz");
    } catch (IntegrityException expected) {
      // The only acceptable failure.
    }
  }

  @FuzzTest(maxDuration = "30s")
  void decodePayload_acceptsOrRejectsCleanly(byte[] json) {
    try {
      PayloadCodec.decode(json).values().forEach(Credential::close);
    } catch (PayloadCodec.MalformedPayloadException expected) {
      // The only acceptable failure.
    }
  }
}
