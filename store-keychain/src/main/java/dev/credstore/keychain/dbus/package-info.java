/**
 * credstore's own D-Bus client and the Secret Service calls it makes on Linux: the wire codec
 * ({@link dev.credstore.keychain.dbus.Message}), one connection ({@link
 * dev.credstore.keychain.dbus.BusConnection}) and the Secret Service ({@link
 * dev.credstore.keychain.dbus.SecretService}).
 *
 * <p>Internal to store-keychain: public only so that {@code dev.credstore.keychain} can call it; no
 * other module may depend on it.
 */
package dev.credstore.keychain.dbus;
