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
}
