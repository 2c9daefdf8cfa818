package dev.credstore.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Sealing in pieces is an implementation detail: the bytes are those of one JDK doFinal. */
class CryptoTest {

  @Test
  void sealInto_matchesOneDoFinal_atEverySizeAroundTheChunk() throws Exception {
    Random random = new Random(7);
    byte[] key = new byte[Crypto.KEY_BYTES];
    byte[] nonce = new byte[Crypto.NONCE_BYTES];
    byte[] aad = new byte[StoreFileFormat.HEADER_LENGTH];
    random.nextBytes(key);
    random.nextBytes(nonce);
    random.nextBytes(aad);
    int chunk = Crypto.SEAL_CHUNK;
    List<String> failures = new ArrayList<>();
    for (int size : new int[] {0, 1, 15, 16, 17, chunk - 1, chunk, chunk + 1, 2 * chunk,
        3 * chunk + 5, 1_000_003}) {
      byte[] plaintext = new byte[size];
      random.nextBytes(plaintext);
      Cipher jdk = Cipher.getInstance("AES/GCM/NoPadding");
      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
          new GCMParameterSpec(Crypto.TAG_BYTES * 8, nonce));
      jdk.updateAAD(aad);
      byte[] expected = jdk.doFinal(plaintext);
      byte[] out = new byte[3 + size + Crypto.TAG_BYTES + 2];
      Crypto.sealInto(key, nonce, aad, plaintext, out, 3);
      byte[] sealed = Arrays.copyOfRange(out, 3, 3 + size + Crypto.TAG_BYTES);
      if (!Arrays.equals(expected, sealed) || !Arrays.equals(Crypto.seal(key, nonce, aad,
          plaintext), expected) || !Arrays.equals(plaintext, Crypto.open(key, nonce, aad,
          sealed))) {
        failures.add("size " + size);
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void open_refusesAChangedAad() {
    byte[] key = new byte[Crypto.KEY_BYTES];
    byte[] nonce = new byte[Crypto.NONCE_BYTES];
    byte[] sealed = Crypto.seal(key, nonce, new byte[] {1}, new byte[3 * Crypto.SEAL_CHUNK]);
    assertNull(Crypto.open(key, nonce, new byte[] {2}, sealed));
    assertArrayEquals(new byte[3 * Crypto.SEAL_CHUNK],
        Crypto.open(key, nonce, new byte[] {1}, sealed));
  }
}
