package dev.credstore.keychain.dbus;

import java.util.Objects;

/**
 * A D-Bus variant: a value with its own signature.
 *
 * @param signature one complete type, e.g. {@code s}, {@code ay}, {@code a{ss}}
 * @param value the value as {@link Message} represents that type
 */
public record Variant(String signature, Object value) {
  public Variant {
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public String toString() {
    return "Variant[" + signature + "]"; // values may be secrets (ay)
  }
}
