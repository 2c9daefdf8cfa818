package dev.credstore.cli;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHPublicKeySpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The training run behind {@code bin/credstore}'s class-data-sharing archive (AOT cache on JDK
 * 25+): runs the common commands once, in-process, against a throw-away file store in a private
 * temp directory, so that the JVM records the classes (and on 25+ the profiles) a real command
 * needs. Touches no user data, no keychain, no network; prints nothing; deletes its directory.
 */
final class CacheTraining {

  private CacheTraining() {}

  public static void main(String[] args) throws IOException {
    Path home = Files.createTempDirectory("credstore-training",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    try {
      byte[] random = new byte[16];
      new SecureRandom().nextBytes(random);
      Map<String, String> environment = Map.of(
          "HOME", home.toString(),
          "XDG_DATA_HOME", home.resolve("data").toString(),
          "XDG_CONFIG_HOME", home.resolve("config").toString(),
          "CREDSTORE_BACKEND", "file",
          "CREDSTORE_PASSPHRASE", HexFormat.of().formatHex(random));
      run(environment, "training-token\n", "login", "cds-training", "--token-stdin");
      run(environment, "", "get", "cds-training");
      run(environment, "", "get", "cds-training", "--json");
      run(environment, "", "get", "not-there");
      run(environment, "", "list");
      run(environment, "", "list", "--json");
      run(environment, "", "status");
      run(environment, "", "--help");
      run(environment, "", "logout", "cds-training");
      touchKeychainReadPath(home);
    } finally {
      try (Stream<Path> files = Files.walk(home)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> {
          try {
            Files.deleteIfExists(path);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
      }
    }
  }

  /**
   * The keychain's read path cannot run here (no Secret Service, on purpose), but the JDK classes
   * it needs can be loaded, and so archived: a Unix-domain socket, and the DH, HKDF-SHA256 and
   * AES-CBC of the Secret Service's encrypted transfer (about 50 ms of a keychain get when cold).
   * Keys here are throw-away; nothing leaves the process.
   */
  private static void touchKeychainReadPath(Path home) {
    try (SocketChannel socket = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      socket.connect(UnixDomainSocketAddress.of(home.resolve("no-bus")));
    } catch (IOException expected) {
      // No one listens there; loading the classes was the point.
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("DH");
      generator.initialize(1024);
      KeyPair ours = generator.generateKeyPair();
      DHPublicKey theirs = (DHPublicKey) generator.generateKeyPair().getPublic();
      KeyAgreement agreement = KeyAgreement.getInstance("DH");
      agreement.init(ours.getPrivate());
      agreement.doPhase(KeyFactory.getInstance("DH").generatePublic(new DHPublicKeySpec(
          theirs.getY(), theirs.getParams().getP(), theirs.getParams().getG())), true);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
      byte[] key = Arrays.copyOf(mac.doFinal(agreement.generateSecret()), 16);
      Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
      IvParameterSpec iv = new IvParameterSpec(new byte[16]);
      cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), iv);
      byte[] sealed = cipher.doFinal(new byte[20]);
      cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), iv);
      cipher.doFinal(sealed);
    } catch (GeneralSecurityException e) {
      // A JDK without DH or AES-CBC cannot read the keychain either; nothing to train.
    }
  }

  private static void run(Map<String, String> environment, String stdin, String... args) {
    Context context = new Context(environment,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), Terminal.none(),
        Clock.systemUTC());
    PrintWriter sink = new PrintWriter(Writer.nullWriter());
    Main.run(context, sink, sink, args);
  }
}
