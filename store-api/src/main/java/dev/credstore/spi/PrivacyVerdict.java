package dev.credstore.spi;

import dev.credstore.api.StorageException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Whether a file or directory is private and ours, as {@link PrivateFiles#check} and {@link
 * PrivateFiles#checkDirectory} judge it: the one rule that the stores apply to refuse a path and
 * that {@code doctor} reports. When not private: the {@code path} at fault (the checked path or
 * one of its ancestors), the {@code problem}, a phrase that follows the path ("has mode
 * rw-r--r--"), and the fix: a {@code command} to run on the path (e.g. "chmod 600"), or else
 * {@code advice} to follow. All null when private. Holds no secret.
 */
public record PrivacyVerdict(Path path, String problem, String command, String advice) {

  private static final PrivacyVerdict PRIVATE = new PrivacyVerdict(null, null, null, null);

  static PrivacyVerdict ok() {
    return PRIVATE;
  }

  /** {@code path} is wrong, fixed by running {@code command path} (e.g. "chmod 600"). */
  static PrivacyVerdict fixedBy(Path path, String problem, String command) {
    return new PrivacyVerdict(path, problem, command, null);
  }

  /** {@code path} is wrong, fixed as {@code advice} says. */
  static PrivacyVerdict advise(Path path, String problem, String advice) {
    return new PrivacyVerdict(path, problem, null, advice);
  }

  public boolean isPrivate() {
    return problem == null;
  }

  /** What to do about it, as a user would read it. */
  public String fix() {
    return fix(Path::toString);
  }

  /** One line, "PATH PROBLEM; FIX", with paths shown by {@code shown} (e.g. "~/…"). */
  public String message(Function<Path, String> shown) {
    if (isPrivate()) {
      return "private";
    }
    return shown.apply(path) + " " + problem + "; " + fix(shown);
  }

  public String message() {
    return message(Path::toString);
  }

  /** Throws the refusal of an unsafe path (exit 8: storage / unsafe path); returns if private. */
  public void require() throws StorageException {
    if (!isPrivate()) {
      throw new StorageException(message());
    }
  }

  private String fix(Function<Path, String> shown) {
    if (isPrivate()) {
      return "";
    }
    return command != null ? "run: " + command + " " + shown.apply(path) : advice;
  }

  @Override
  public String toString() {
    return isPrivate() ? "private" : message();
  }
}
