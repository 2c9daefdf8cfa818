package dev.credstore.keychain.dbus;

import java.io.IOException;

/** A D-Bus error reply, e.g. {@code org.freedesktop.DBus.Error.ServiceUnknown}. */
public final class DBusErrorException extends IOException {
  private final String errorName;

  DBusErrorException(String errorName, String detail) {
    super(errorName + (detail.isEmpty() ? "" : ": " + detail));
    this.errorName = errorName;
  }

  public String errorName() {
    return errorName;
  }

  /**
   * Whether the object called no longer exists, as gnome-keyring and KeePassXC say it of an item
   * deleted since it was found (no such object, or none of its interfaces).
   */
  public boolean objectGone() {
    return errorName.equals("org.freedesktop.DBus.Error.UnknownObject")
        || errorName.equals("org.freedesktop.DBus.Error.UnknownMethod")
        || errorName.endsWith(".NoSuchObject");
  }
}
