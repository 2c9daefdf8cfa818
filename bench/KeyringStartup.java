import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * What the kernel key retention service would cost a credstore process from Java 17, where it is
 * reached only through JNA (on the jar's class path via java-keyring): JNA's start-up, then one
 * add_key, search, read and revoke on a throw-away key in the user keyring. bench/run prints it;
 * run by hand with: java -cp cli/target/credstore.jar bench/KeyringStartup.java
 * (x86-64 Linux syscall numbers; the key holds 32 random bytes and is revoked at once.)
 */
public final class KeyringStartup {

  private static final long ADD_KEY = 248;
  private static final long KEYCTL = 250;
  private static final long KEYCTL_REVOKE = 3;
  private static final long KEYCTL_SEARCH = 10;
  private static final long KEYCTL_READ = 11;
  private static final long USER_KEYRING = -4;

  /** Bound on first use of Calls, so that binding is timed separately. */
  static final class Calls {
    static {
      Native.register(Calls.class, NativeLibrary.getInstance("c"));
    }

    static native long syscall(long number, byte[] type, byte[] description, byte[] payload,
        long length, long keyring);

    static native long syscall(long number, long operation, long keyring, byte[] type,
        byte[] description, long destination);

    static native long syscall(long number, long operation, long key, byte[] buffer, long length,
        long unused);

    static native long syscall(long number, long operation, long key, long a, long b, long c);
  }

  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    Class.forName("com.sun.jna.Native");
    long t1 = System.nanoTime();
    NativeLibrary.getInstance("c");
    long t2 = System.nanoTime();
    Class.forName(Calls.class.getName());
    long t3 = System.nanoTime();
    byte[] type = "user\0".getBytes("US-ASCII");
    byte[] description = ("credstore-bench-" + ProcessHandle.current().pid() + "\0")
        .getBytes("US-ASCII");
    byte[] payload = new byte[32];
    new java.security.SecureRandom().nextBytes(payload);
    long key = Calls.syscall(ADD_KEY, type, description, payload, payload.length, USER_KEYRING);
    if (key < 0) {
      System.out.println("add_key refused (errno " + Native.getLastError() + ")");
      return;
    }
    long found = Calls.syscall(KEYCTL, KEYCTL_SEARCH, USER_KEYRING, type, description, 0);
    byte[] read = new byte[32];
    long length = Calls.syscall(KEYCTL, KEYCTL_READ, found, read, read.length, 0);
    Calls.syscall(KEYCTL, KEYCTL_REVOKE, key, 0, 0, 0);
    long t4 = System.nanoTime();
    if (found != key || length != 32 || !java.util.Arrays.equals(read, payload)) {
      System.out.println("keyring round trip failed");
      return;
    }
    System.out.printf("JNA Native %.1f ms, libc %.1f ms, bind %.1f ms, keyctl round trip %.2f ms;"
        + " total %.1f ms%n", (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t4 - t3) / 1e6,
        (t4 - t0) / 1e6);
  }
}
