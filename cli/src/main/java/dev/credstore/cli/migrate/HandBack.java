package dev.credstore.cli.migrate;

import dev.credstore.api.Secret;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * How {@code credstore exec} hands a migrated secret back to its tool: the variable that carries
 * it, other (non-secret) variables, and for a tool that reads no variable at all, a private copy
 * of its config holding the secret ({@link #writePrivateConfig}).
 */
public class HandBack {

  private final String secretVariable;
  private final Map<String, String> variables;

  /**
   * @param secretVariable the variable that carries the secret; null: the service's registered one
   * @param variables other variables to set, none of them secret
   */
  public HandBack(String secretVariable, Map<String, String> variables) {
    this.secretVariable = secretVariable;
    this.variables = Map.copyOf(Objects.requireNonNull(variables));
  }

  /** Null: the service's registered variable. */
  public String secretVariable() {
    return secretVariable;
  }

  public Map<String, String> variables() {
    return variables;
  }

  /** True if the tool needs {@link #writePrivateConfig}. */
  public boolean needsPrivateConfig() {
    return false;
  }

  /**
   * Writes the tool's config holding {@code secret} into {@code directory} (private, 0700, removed
   * by the caller when the child ends) and returns the variables that point the child at it.
   */
  public Map<String, String> writePrivateConfig(Path directory, Secret secret) throws IOException {
    return Map.of();
  }
}
