package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.CredentialId;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One tool's plaintext secrets: where the tool keeps its files, how to find each secret and its
 * non-secret metadata in one of them, and the file's bytes once the secrets are cut out. Adding a
 * tool to {@code migrate} is one implementation of this (see {@link Sources}) plus its fixtures.
 *
 * <p>The {@link Migrator} does everything that must hold for every tool: it reads the file (no
 * links, one name, config-file size), stores each secret, reads it back and compares, and only then
 * replaces the file atomically with {@link Scan#rewritten()}; a source only finds and cuts. A
 * source cuts with its format's one surgical editor ({@link JsonSurgery}, {@link YamlSurgery},
 * {@link LineSurgery}), which changes nothing but the secret's bytes and proves it by parsing the
 * result again.
 *
 * <p>Implementations are stateless and thread-safe; a scan never shows a secret in a message.
 */
public interface PlaintextSource {

  /** Short name of the tool, e.g. {@code docker}; shown in the report. */
  String tool();

  /** The files to look at for a process with {@code places}, most preferred first; may not exist. */
  List<Path> files(Places places);

  /**
   * Finds the secrets in {@code bytes} (the content of {@code file}, owned by the caller).
   *
   * @throws ConfigurationException if the file is not what the tool writes, or a secret cannot be
   *     cut out precisely; the message names the file's problem, never a secret
   */
  Scan scan(Path file, byte[] bytes) throws ConfigurationException;

  /**
   * The credstore services this source's secrets are stored under, e.g. {@code gh}; by default
   * the one service named as the tool.
   */
  default Set<String> services() {
    return Set.of(tool());
  }

  /**
   * How the tool gets its secret back under {@code credstore exec SERVICE}: the variable that
   * carries the secret and any other variables to set, from the credential's id and non-secret
   * metadata. Empty: the service's registered variable, nothing else.
   */
  default Optional<HandBack> handBack(CredentialId id, Map<String, String> metadata) {
    return Optional.empty();
  }

  /** True if this source only reports (its secrets have no credstore entry a tool could use). */
  default boolean reportOnly() {
    return false;
  }

  /**
   * The mode the file gets when it is rewritten, given its current one: empty keeps it. A tool
   * that once created its file world-readable (conf's 0666, k6's 0644) gets it tightened.
   */
  default Optional<Set<PosixFilePermission>> mode(Set<PosixFilePermission> current) {
    return Optional.empty();
  }

  /**
   * Work after the file was rewritten, for the tool to find its secrets in credstore (e.g. point
   * git's {@code credential.helper} at credstore, drop a session cached from the moved token).
   *
   * @return one line per thing done, for the report
   * @throws IOException if that work failed; the secrets are in the store and the file rewritten
   */
  default List<String> afterRewrite(Path file, Scan scan, Places places) throws IOException {
    return List.of();
  }
}
