package dev.credstore.keychain;

import com.github.javakeyring.PasswordAccessException;
import dev.credstore.api.AuthenticationException;
import dev.credstore.api.BackendUnavailableException;
import dev.credstore.api.CredentialId;
import dev.credstore.api.CredentialStoreException;
import dev.credstore.api.IntegrityException;
import dev.credstore.api.StorageException;
import dev.credstore.keychain.dbus.SecretService;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * The java-keyring steps of {@link KeychainStore}, each bounded in time and with its failures
 * turned into store-api exceptions. java-keyring says little about why a call failed, so a failure
 * asks the keychain for its state before it is named.
 */
final class KeyringCalls {

  private final KeyringAccess access;
  private final BoundedCalls calls;

  KeyringCalls(KeyringAccess access, BoundedCalls calls) {
    this.access = access;
    this.calls = calls;
  }

  /**
   * Runs one keychain step on the worker thread within the timeout, first checking (without a
   * prompt) that the keychain is usable, and maps every failure onto the store-api exceptions.
   */
  <T> T run(String action, CredentialId id, Callable<T> step)
      throws CredentialStoreException {
    try {
      return calls.call(() -> {
        SecretServiceCalls.requireUsable(access.state());
        return step.call();
      });
    } catch (CredentialStoreException e) {
      throw e;
    } catch (TimeoutException e) {
      SecretService.State state = stateAfterFailure();
      if (state == SecretService.State.LOCKED) {
        throw locked(action, id, e);
      }
      throw new BackendUnavailableException("the keychain did not answer within "
          + calls.timeout().toMillis() + " ms (" + action + " " + id + ")", e);
    } catch (DuplicatesOnReadException e) {
      throw new IntegrityException("several keychain items match " + id + " (left by concurrent"
          + " writers); storing or deleting the credential again repairs this", e.getCause());
    } catch (WriteNotKeptException e) {
      if (stateAfterFailure() == SecretService.State.LOCKED) {
        throw locked(action, id, e);
      }
      throw new StorageException("the keychain did not keep the secret written for " + id
          + " (reading it back gave a different value)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted during keychain " + action + " of " + id, e);
    } catch (Exception | Error e) {
      SecretService.State state = stateAfterFailure();
      if (state == SecretService.State.LOCKED || isLockedOnMac(e)) {
        throw locked(action, id, e);
      }
      if (state == SecretService.State.NOT_RUNNING
          || state == SecretService.State.NO_COLLECTION || state == null) {
        throw new BackendUnavailableException("the keychain is no longer reachable ("
            + action + " " + id + ")", e);
      }
      throw new StorageException("the keychain failed to " + action + " " + id, e);
    }
  }

  private static boolean isLockedOnMac(Throwable e) {
    return e instanceof PasswordAccessException pae
        && JavaKeyringAccess.classify(pae) == JavaKeyringAccess.Outcome.LOCKED;
  }

  private AuthenticationException locked(String action, CredentialId id, Throwable cause) {
    return new AuthenticationException("the keychain is locked (" + action + " " + id
        + "); unlock it and retry", cause);
  }

  /** The keychain's state, or null if even that cannot be learned in time. */
  private SecretService.State stateAfterFailure() {
    try {
      return calls.call(access::state);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Exception e) {
      return null;
    }
  }

  /** A write that read back as something else; named by {@link #run}. */
  static final class WriteNotKeptException extends Exception {
    WriteNotKeptException(CredentialId id) {
      super("read-back of " + id + " differs from what was written");
    }
  }

  /** A read that found several items; named by {@link #run}. */
  static final class DuplicatesOnReadException extends Exception {
    DuplicatesOnReadException(Throwable cause) {
      super("duplicate keychain items", cause);
    }
  }
}
