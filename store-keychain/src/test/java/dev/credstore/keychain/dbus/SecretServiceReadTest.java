package dev.credstore.keychain.dbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.credstore.keychain.SecretServiceTesting;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read path over our own D-Bus client: finds what secret-tool stored, with the encrypted
 * transfer, and applies java-keyring's duplicate rule.
 */
class SecretServiceReadTest {

  @TempDir
  Path data;

  @Test
  void hkdf_matchesRfc5869TestCase3() throws Exception {
    // RFC 5869 A.3: IKM = 22 x 0x0b, no salt, no info; the first 32 bytes of the OKM.
    byte[] ikm = new byte[22];
    java.util.Arrays.fill(ikm, (byte) 0x0b);
    assertArrayEquals(HexFormat.of().parseHex(
        "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"),
        SecretTransfer.hkdfSha256(ikm, 32));
  }

  @Test
  void secret_storedBySecretTool_isReadOverTheEncryptedTransfer() throws Exception {
    SecretServiceTesting.assumeSecretService(data);
    String service = "credstore-wire-" + UUID.randomUUID().toString().substring(0, 8);
    String value = "wire-ü-€-" + service + " with spaces";
    try {
      run(value, "secret-tool", "store", "--label=wire test", "service", service,
          "account", "default");
      try (SecretService bus =
          SecretService.connect(System.getenv("DBUS_SESSION_BUS_ADDRESS"))) {
        List<String> items =
            bus.searchDefaultCollection(Map.of("service", service, "account", "default"));
        assertEquals(1, items.size(), items.toString());
        assertEquals(value, new String(bus.secret(items.get(0)), StandardCharsets.UTF_8));
        assertTrue(bus.encryptedTransfer(), "gnome-keyring offers the encrypted transfer");
        // A second read reuses the session.
        assertEquals(value, new String(bus.secret(items.get(0)), StandardCharsets.UTF_8));
        assertTrue(bus.searchDefaultCollection(Map.of("service", service, "account", "other"))
            .isEmpty());
      }
    } finally {
      run(null, "secret-tool", "clear", "service", service, "account", "default");
    }
  }

  private static String run(String input, String... command) throws Exception {
    Process process = new ProcessBuilder(new ArrayList<>(List.of(command)))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    if (input != null) {
      process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
    }
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return out;
  }
}
