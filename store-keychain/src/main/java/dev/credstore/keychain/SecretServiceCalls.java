package dev.credstore.keychain;

import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.StorageException;
import dev.credstore.keychain.dbus.DBusErrorException;
import dev.credstore.keychain.dbus.MalformedMessageException;
import dev.credstore.keychain.dbus.PromptRequiredException;
import dev.credstore.keychain.dbus.SecretService;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/**
 * The Secret Service steps of {@link SecretServiceStore}, each bounded in time and with its
 * failures turned into store-api exceptions: one place decides what "locked" or "gone" means.
 */
final class SecretServiceCalls {

  /** A keychain step on the worker thread; the keychain state is checked first. */
  interface Step<T> {
    T run() throws IOException, CredentialStoreException;
  }

  private final SecretService service;
  private final BoundedCalls calls;

  SecretServiceCalls(SecretService service, BoundedCalls calls) {
    this.service = service;
    this.calls = calls;
  }

  /**
   * Runs one step on the worker thread within the timeout, after checking (one round trip, no
   * prompt) that the default collection is unlocked, and maps every failure onto the store-api
   * exceptions. Messages name ids and D-Bus errors, never secrets.
   */
  <T> T run(String action, CredentialId id, Step<T> step)
      throws CredentialStoreException {
    String what = action + (id == null ? "" : " " + id);
    try {
      return calls.call(() -> {
        requireUsable(service.lockState());
        return step.run();
      });
    } catch (CredentialStoreException e) {
      throw e;
    } catch (TimeoutException e) {
      throw new BackendUnavailableException("the Secret Service did not answer within "
          + calls.timeout().toMillis() + " ms (" + what + ")", e);
    } catch (PromptRequiredException e) {
      throw new AuthenticationException("the keychain is locked (" + what + "): " + e.getMessage()
          + "; unlock it and retry", e);
    } catch (MalformedMessageException e) {
      throw new BackendUnavailableException("the Secret Service sent a malformed reply (" + what
          + "): " + e.getMessage(), e);
    } catch (DBusErrorException e) {
      if (e.errorName().endsWith(".IsLocked")) {
        throw new AuthenticationException("the keychain is locked (" + what
            + "); unlock it and retry; credstore never opens an unlock prompt itself", e);
      }
      if (e.errorName().endsWith(".ServiceUnknown") || e.errorName().endsWith(".NoReply")
          || e.errorName().endsWith(".Disconnected") || e.errorName().endsWith(".NameHasNoOwner")) {
        throw new BackendUnavailableException("the Secret Service is no longer reachable ("
            + what + "): " + e.getMessage(), e);
      }
      throw new StorageException("the Secret Service refused to " + what + ": "
          + e.getMessage(), e);
    } catch (IOException e) {
      throw new BackendUnavailableException("the Secret Service is no longer reachable ("
          + what + "): " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted during keychain " + what, e);
    } catch (Exception e) {
      throw new StorageException("the keychain failed to " + what, e);
    }
  }

  /** Refuses a keychain that is locked or gone; both keychain stores check this first. */
  static void requireUsable(SecretService.State state) throws CredentialStoreException {
    switch (state) {
      case READY -> { }
      case LOCKED -> throw new AuthenticationException("the keychain's default collection is"
          + " locked; unlock it (log in to the desktop, or use your keyring manager) and retry;"
          + " credstore never opens an unlock prompt itself");
      case NO_COLLECTION -> throw new BackendUnavailableException(
          "the Secret Service has no default collection (no login keyring)");
      case NOT_RUNNING -> throw new BackendUnavailableException(
          "no Secret Service is running on the session bus any more");
    }
  }
}
