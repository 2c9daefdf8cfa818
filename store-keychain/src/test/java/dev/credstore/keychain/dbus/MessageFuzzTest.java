package dev.credstore.keychain.dbus;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of the D-Bus reply parser, everything credstore reads from the bus.
 * Under plain {@code mvn verify} it runs once per committed input in
 * {@code src/test/resources/dev/credstore/keychain/dbus/MessageFuzzTestInputs/}; with
 * {@code JAZZER_FUZZ=1} it fuzzes. Any exception other than a MalformedMessageException, and any
 * OutOfMemoryError or hang, is a finding.
 */
class MessageFuzzTest {

  @FuzzTest(maxDuration = "30s")
  void parse_acceptsOrRejectsCleanly(byte[] bytes) {
    try {
      if (bytes.length >= Message.FIXED_HEADER) {
        // What the connection does: the fixed header decides how much to read, then parse.
        int length = Message.frameLength(bytes);
        if (length > Message.MAX_LENGTH) {
          throw new AssertionError("frameLength let " + length + " bytes through");
        }
      }
      Message message = Message.parse(bytes);
      Message.wipe(message.body());
    } catch (MalformedMessageException expected) {
      // The only acceptable failure.
    }
  }

  /** Bodies of every signature a reply may claim, behind a valid header. */
  @FuzzTest(maxDuration = "30s")
  void parseBody_acceptsOrRejectsCleanly(byte[] input) {
    if (input.length < 1) {
      return;
    }
    int split = Math.min(input[0] & 0xff, input.length - 1);
    String signature = new String(input, 1, split, java.nio.charset.StandardCharsets.ISO_8859_1);
    byte[] body = java.util.Arrays.copyOfRange(input, 1 + split, input.length);
    try {
      Signatures.check(signature);
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(body)
          .order((input[0] & 1) == 0 ? java.nio.ByteOrder.LITTLE_ENDIAN
              : java.nio.ByteOrder.BIG_ENDIAN);
      new WireReader(buffer).readAll(signature);
    } catch (MalformedMessageException expected) {
      // The only acceptable failure.
    }
  }
}
