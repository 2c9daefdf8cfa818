package dev.credstore.keychain;

import dev.credstore.api.Credential;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialKind;
import dev.credstore.api.CredentialMetadata;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a credstore item's attributes and secret mean as store-api values, and the integrity
 * errors when they mean nothing: shared by reads, writes and the upgrade from 0.1.
 */
final class ItemValues {

  private ItemValues() {}

  /** The credential {@code id} whose metadata is {@code metadata}, with copies of the secrets. */
  static Credential credential(CredentialId id, CredentialMetadata metadata, Secret secret,
      Secret previous) {
    Credential.Builder builder = Credential.builder(id);
    if (metadata.kind() == CredentialKind.API_KEY) {
      builder.apiKey(metadata.keyName(), secret);
    } else {
      builder.token(secret);
    }
    return builder.attributes(metadata.attributes()).createdAt(metadata.createdAt())
        .updatedAt(metadata.updatedAt()).rotatedAt(metadata.rotatedAt())
        .previousSecret(previous).build();
  }

  static CredentialMetadata metadata(String item, Map<String, String> attributes)
      throws IntegrityException {
    try {
      return ItemLayout.metadata(attributes);
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("the keychain item " + item + " is marked as credstore's but"
          + " its metadata is unreadable: " + e.getMessage(), e);
    }
  }

  static Secret secret(CredentialId id, byte[] utf8) throws IntegrityException {
    try {
      Secret secret = Secret.fromUtf8(utf8);
      if (secret.length() == 0) {
        secret.close();
        throw new IllegalArgumentException("empty");
      }
      return secret;
    } catch (IllegalArgumentException e) {
      throw new IntegrityException("the keychain item for " + id + " is not a usable secret"
          + " (empty, not UTF-8, or too long)", e);
    }
  }

  static IntegrityException duplicates(CredentialId id, int count) {
    return new IntegrityException(count + " of credstore's keychain items hold " + id
        + " (left by a write that was cut short); storing or deleting the credential again"
        + " repairs this");
  }

  static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
