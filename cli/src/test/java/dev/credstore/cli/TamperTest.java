package dev.credstore.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.credstore.cli.console.Terminal;
import dev.credstore.cli.session.Context;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every single-bit variant of a real store file, read through the command: each must exit 6
 * (integrity failure) with one clean line on stderr; none may be accepted, crash (exit 1) or leak.
 * Runs in-process, since each variant fails before any key derivation.
 */
class TamperTest {

  private static final String TOKEN = "tamper-token-SECRET-81f2";
  private static final int CHECKSUM_BYTES = 32;

  @TempDir Path home;
  private Path store;
  private byte[] original;

  private Map<String, String> env() {
    return Map.of("HOME", home.toString(), "CREDSTORE_BACKEND", "file",
        "CREDSTORE_PASSPHRASE", "tamper test passphrase");
  }

  private Run run(String stdin, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Context context = new Context(env(),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Terminal.none(),
        Clock.systemUTC());
    int code = Main.run(context, new PrintWriter(out), new PrintWriter(err), args);
    return new Run(code, out.toString(), err.toString());
  }

  record Run(int code, String out, String err) {}

  @BeforeEach
  void createStore() throws Exception {
    assertEquals(0, run(TOKEN + "\n", "login", "k6", "--token-stdin", "--stack", "s1").code());
    store = home.resolve(".local/share/credstore/credentials.cstore");
    original = Files.readAllBytes(store);
  }

  @Test
  void everySingleBitFlip_exitsSix_withOneCleanLine() throws Exception {
    List<String> failures = new ArrayList<>();
    int variants = 0;
    for (int bit = 0; bit < original.length * 8; bit++) {
      byte[] flipped = original.clone();
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      Files.write(store, flipped);
      variants++;
      check(failures, "bit " + bit, run("", "get", "k6"), 6);
    }
    System.out.println("tamper: " + variants + " single-bit variants of a " + original.length
        + "-byte store, " + (variants - failures.size()) + " rejected with exit 6, "
        + failures.size() + " otherwise");
    assertEquals(List.of(), failures);
  }

  /**
   * A deliberate attacker recomputes the unkeyed checksum: the AEAD must still refuse. One byte of
   * every header field and three payload bytes (store-file's own tests cover every byte, with a
   * cheap KDF; here each variant costs a full Argon2id run).
   */
  @Test
  void oneByteOfEveryField_withARecomputedChecksum_isRefused() throws Exception {
    List<String> failures = new ArrayList<>();
    int body = original.length - CHECKSUM_BYTES;
    int[] offsets = {9, 10, 12, 16, 19, 20, 25, 37, 40, 60, 100, 112, 114, body / 2 + 57, body - 1};
    MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
    for (int i : offsets) {
      byte[] tampered = original.clone();
      tampered[i] ^= 0x01;
      sha256.update(tampered, 0, body);
      System.arraycopy(sha256.digest(), 0, tampered, body, CHECKSUM_BYTES);
      Files.write(store, tampered);
      // Altering what the key derivation and key unwrap read (bytes 0..98) is indistinguishable
      // from a wrong passphrase (exit 4) to anyone without the passphrase; everything else must be
      // an integrity failure (exit 6). Nothing may be accepted.
      Run result = run("", "get", "k6");
      int expected = i < 98 && result.code() == 4 ? 4 : 6;
      check(failures, "byte " + i, result, expected);
    }
    assertEquals(List.of(), failures);
  }

  private static void check(List<String> failures, String variant, Run result, int expected) {
    if (result.code() != expected) {
      failures.add(variant + ": exit " + result.code() + " " + result.err().strip());
    } else if (!result.out().isEmpty() || result.err().lines().count() != 1
        || !result.err().startsWith("credstore: ")) {
      failures.add(variant + ": output not one clean line: " + result.err());
    } else if (result.err().contains(TOKEN) || result.err().contains("\tat ")) {
      failures.add(variant + ": stderr leaks the secret or a stack trace");
    }
  }
}
