package dev.credstore.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.credstore.api.StorageException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one verdict and the atomic replacement, on real files (owner cases as root, via chown). */
class PrivateFilesTest {

  private static final int NOBODY = 65534;

  @TempDir Path temp;
  private Path directory;
  private Path file;

  @BeforeEach
  void privateFileInPrivateDirectory() throws IOException {
    directory = Files.createDirectory(temp.resolve("private"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    file = directory.resolve("secret");
    Files.writeString(file, "secret");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void privateFile_inPrivateDirectory_underTmp_isPrivate() {
    PrivacyVerdict verdict = PrivateFiles.check(file);
    assertTrue(verdict.isPrivate(), verdict::message);
  }

  @Test
  void groupReadableFile_isNotPrivate_andTheFixIsChmod600() throws IOException {
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    PrivacyVerdict verdict = PrivateFiles.check(file);
    assertFalse(verdict.isPrivate());
    assertEquals(file, verdict.path());
    assertEquals(file + " has mode rw-r-----; run: chmod 600 " + file, verdict.message());
    StorageException e = assertThrows(StorageException.class, verdict::require);
    assertEquals(verdict.message(), e.getMessage());
  }

  @Test
  void directoryReadableByOthers_isNotPrivate_andTheFixIsChmod700() throws IOException {
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    PrivacyVerdict verdict = PrivateFiles.check(file);
    assertEquals(directory, verdict.path());
    assertEquals("run: chmod 700 " + directory, verdict.fix());
  }

  @Test
  void directoryWritableByOthers_isNotPrivate() throws IOException {
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxrwxrwx"));
    PrivacyVerdict verdict = PrivateFiles.check(file);
    assertEquals(directory, verdict.path());
    assertTrue(verdict.problem().contains("writable by other users"), verdict::message);
  }

  @Test
  void groupWritableAncestor_isNotPrivate_butAReadableOneIs() throws IOException {
    Path ancestor = Files.createDirectory(temp.resolve("shared"));
    Path inner = Files.createDirectory(ancestor.resolve("inner"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Files.setPosixFilePermissions(ancestor, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertTrue(PrivateFiles.checkDirectory(inner).isPrivate(),
        () -> PrivateFiles.checkDirectory(inner).message());
    Files.setPosixFilePermissions(ancestor, PosixFilePermissions.fromString("rwxrwxr-x"));
    PrivacyVerdict verdict = PrivateFiles.checkDirectory(inner);
    assertEquals(ancestor, verdict.path());
    assertEquals("run: chmod go-w " + ancestor, verdict.fix());
  }

  @Test
  void fileDirectlyInTmp_isRefused_butOneInAPrivateDirectoryUnderTmpIsPrivate()
      throws IOException {
    Path tmp = Path.of("/tmp");
    assumeTrue(Files.isDirectory(tmp) && mode(tmp).endsWith("t")
        && (Integer) Files.getAttribute(tmp, "unix:uid") == 0, "needs a root-owned sticky /tmp");
    Path direct = Files.createTempFile(tmp, "credstore-test", ".secret",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Path privateDirectory = Files.createTempDirectory(tmp, "credstore-test");
    try {
      PrivacyVerdict verdict = PrivateFiles.check(direct);
      assertEquals(tmp, verdict.path());
      assertTrue(verdict.problem().startsWith("is a shared directory"), verdict::message);
      assertThrows(StorageException.class, verdict::require);
      Path inside = Files.writeString(privateDirectory.resolve("secret"), "x");
      Files.setPosixFilePermissions(inside, PosixFilePermissions.fromString("rw-------"));
      assertTrue(PrivateFiles.check(inside).isPrivate(), PrivateFiles.check(inside)::message);
    } finally {
      Files.deleteIfExists(direct);
      try (Stream<Path> left = Files.list(privateDirectory)) {
        for (Path p : left.toList()) {
          Files.delete(p);
        }
      }
      Files.delete(privateDirectory);
    }
  }

  @Test
  void ownStickyWorldWritableDirectory_isRefusedAsShared() throws IOException {
    Files.setAttribute(directory, "unix:mode", 01777);
    PrivacyVerdict verdict = PrivateFiles.check(file);
    assertEquals(directory, verdict.path());
    assertTrue(verdict.problem().startsWith("is a shared directory"), verdict::message);
  }

  @Test
  void symlinkedFile_isNotPrivate() throws IOException {
    Path link = Files.createSymbolicLink(directory.resolve("link"), file);
    PrivacyVerdict verdict = PrivateFiles.check(link);
    assertEquals(link, verdict.path());
    assertTrue(verdict.problem().contains("symbolic link"), verdict::message);
  }

  @Test
  void symlinkedDirectory_isNotPrivate() throws IOException {
    Path link = Files.createSymbolicLink(temp.resolve("dir-link"), directory);
    PrivacyVerdict verdict = PrivateFiles.check(link.resolve("secret"));
    assertEquals(link, verdict.path());
    assertTrue(verdict.problem().contains("symbolic link"), verdict::message);
  }

  @Test
  void symlinkedAncestor_isJudgedByItsTarget() throws IOException {
    Path real = Files.createDirectory(temp.resolve("real"));
    Path inner = Files.createDirectory(real.resolve("inner"),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path link = Files.createSymbolicLink(temp.resolve("ancestor-link"), real);
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
    assertTrue(PrivateFiles.checkDirectory(link.resolve("inner")).isPrivate(),
        () -> PrivateFiles.checkDirectory(link.resolve("inner")).message());
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxrwxrwx"));
    PrivacyVerdict verdict = PrivateFiles.checkDirectory(link.resolve("inner"));
    assertEquals(real, verdict.path());
    assertTrue(verdict.problem().contains("writable by other users"), verdict::message);
    assertTrue(PrivateFiles.checkDirectory(inner).path().equals(real));
  }

  @Test
  void fileOwnedByAnotherUser_isNotPrivate() throws IOException {
    assumeRoot();
    chown(file, NOBODY);
    PrivacyVerdict verdict = PrivateFiles.check(file);
    assertEquals(file, verdict.path());
    assertTrue(verdict.problem().startsWith("is owned by uid 65534, not by you (uid 0)"),
        verdict::message);
  }

  @Test
  void directoryOwnedByAnotherUser_isNotPrivate() throws IOException {
    assumeRoot();
    chown(directory, NOBODY);
    PrivacyVerdict verdict = PrivateFiles.check(file);
    assertEquals(directory, verdict.path());
    assertTrue(verdict.problem().startsWith("is owned by uid 65534"), verdict::message);
  }

  @Test
  void ancestorOwnedByAnotherUser_isNotPrivate() throws IOException {
    assumeRoot();
    chown(temp, NOBODY);
    try {
      PrivacyVerdict verdict = PrivateFiles.check(file);
      assertEquals(temp, verdict.path());
      assertTrue(verdict.problem().contains("neither you nor root"), verdict::message);
    } finally {
      chown(temp, 0);
    }
  }

  @Test
  void symlinkedAncestorOwnedByAnotherUser_isNotPrivate() throws IOException {
    assumeRoot();
    Path link = Files.createSymbolicLink(temp.resolve("their-link"), directory.getParent());
    Files.getFileAttributeView(link, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
        .setOwner(user(NOBODY));
    PrivacyVerdict verdict = PrivateFiles.check(link.resolve("private/secret"));
    assertEquals(link, verdict.path());
    assertTrue(verdict.problem().contains("neither you nor root"), verdict::message);
  }

  @Test
  void ensureDirectory_createsMode700_andRefusesAnOpenOne() throws Exception {
    Path created = temp.resolve("a/b");
    PrivateFiles.ensureDirectory(created);
    assertEquals("rwx------", mode(created));
    Path open = Files.createDirectory(temp.resolve("open"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-x---"));
    StorageException e = assertThrows(StorageException.class,
        () -> PrivateFiles.ensureDirectory(open));
    assertTrue(e.getMessage().endsWith("run: chmod 700 " + open), e.getMessage());
  }

  @Test
  void ensureFile_createsMode600_andNeverThroughALink() throws Exception {
    Path fresh = directory.resolve("lock");
    PrivateFiles.ensureFile(fresh);
    assertEquals("rw-------", mode(fresh));
    Path target = directory.resolve("target");
    Path dangling = Files.createSymbolicLink(directory.resolve("dangling"), target);
    assertThrows(StorageException.class, () -> PrivateFiles.ensureFile(dangling));
    assertFalse(Files.exists(target, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void replace_writesA600File_leavesNoTemporaryFile_andReplacesALinkNotItsTarget()
      throws Exception {
    Path target = directory.resolve("elsewhere");
    Files.writeString(target, "untouched");
    Path link = Files.createSymbolicLink(directory.resolve("store"), target);
    PrivateFiles.replace(link, "new".getBytes(StandardCharsets.UTF_8));
    assertFalse(Files.isSymbolicLink(link));
    assertEquals("new", Files.readString(link));
    assertEquals("rw-------", mode(link));
    assertEquals("untouched", Files.readString(target));
    try (Stream<Path> names = Files.list(directory)) {
      assertTrue(names.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")));
    }
  }

  @Test
  void replaceKeepingOwner_keepsModeAndOwner_andRefusesAChangedFile() throws Exception {
    Path config = temp.resolve("config.json");
    Files.writeString(config, "old");
    Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r-----"));
    boolean root = isRoot();
    if (root) {
      chown(config, NOBODY);
    }
    PrivateFiles.replaceKeepingOwner(config, "old".getBytes(StandardCharsets.UTF_8),
        "new".getBytes(StandardCharsets.UTF_8));
    assertEquals("new", Files.readString(config));
    assertEquals("rw-r-----", mode(config));
    if (root) {
      assertEquals(NOBODY, Files.getAttribute(config, "unix:uid"));
    }
    assertThrows(IOException.class, () -> PrivateFiles.replaceKeepingOwner(config,
        "old".getBytes(StandardCharsets.UTF_8), "newer".getBytes(StandardCharsets.UTF_8)));
    assertEquals("new", Files.readString(config));
  }

  @Test
  void readPrivate_readsAPrivateFile_andRefusesLinksOpenFilesAndLargeFiles() throws Exception {
    assertArrayEquals("secret".getBytes(StandardCharsets.UTF_8), PrivateFiles.readPrivate(file, 64));
    Path link = Files.createSymbolicLink(directory.resolve("link"), file);
    StorageException linked = assertThrows(StorageException.class,
        () -> PrivateFiles.readPrivate(link, 64));
    assertTrue(linked.getMessage().contains("symbolic link"), linked.getMessage());
    StorageException large = assertThrows(StorageException.class,
        () -> PrivateFiles.readPrivate(file, 3));
    assertTrue(large.getMessage().contains("more than the 3 bytes"), large.getMessage());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    StorageException open = assertThrows(StorageException.class,
        () -> PrivateFiles.readPrivate(file, 64));
    assertTrue(open.getMessage().contains("chmod 600"), open.getMessage());
  }

  @Test
  void theOpenHandle_isJudged_notWhateverThePathNamesAfterwards() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self/fdinfo")), "needs Linux /proc");
    Path loose = directory.resolve("loose");
    Files.writeString(loose, "x");
    Files.setPosixFilePermissions(loose, PosixFilePermissions.fromString("rw-r--r--"));
    try (FileChannel channel = FileChannel.open(loose, StandardOpenOption.READ)) {
      // Swapped after opening: the path now names a private file, the handle the loose one.
      Files.move(file, loose, StandardCopyOption.REPLACE_EXISTING);
      FileAttributes opened = OpenHandles.attributes(channel);
      assertEquals(0644, opened.mode & 0777);
      assertEquals(0600, FileAttributes.of(loose).mode & 0777);
      assertEquals(0, channel.position(), "the channel is left where it was");
    }
  }

  private static String mode(Path path) throws IOException {
    int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    String text = PosixFilePermissions.toString(
        Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    return (mode & 01000) != 0 ? text.substring(0, 8) + "t" : text;
  }

  private static boolean isRoot() throws IOException {
    return Files.readAllLines(Path.of("/proc/self/status")).stream()
        .filter(l -> l.startsWith("Uid:")).anyMatch(l -> l.split("\\s+")[2].equals("0"));
  }

  private static void assumeRoot() throws IOException {
    assumeTrue(isRoot(), "owner checks need root, to chown to another uid");
  }

  private static void chown(Path path, int uid) throws IOException {
    Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
  }

  private static UserPrincipal user(int uid) throws IOException {
    Path probe = Files.createTempFile("credstore-owner", ".probe");
    try {
      Files.setAttribute(probe, "unix:uid", uid);
      return Files.getOwner(probe);
    } finally {
      Files.delete(probe);
    }
  }
}
