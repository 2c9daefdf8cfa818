package dev.credstore.keychain;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs keychain calls one at a time on a daemon thread and gives up after a timeout. java-keyring
 * and the Secret Service can block for minutes (an unlock prompt, a bus that never answers); a
 * daemon thread stuck there cannot keep the JVM alive, and the caller gets its answer in time.
 */
final class BoundedCalls implements AutoCloseable {

  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Duration timeout;
  private ExecutorService executor = newExecutor();

  BoundedCalls(Duration timeout) {
    this.timeout = timeout;
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * Runs {@code task} and returns its result or rethrows what it threw. After a timeout the stuck
   * thread is abandoned (interrupted; it is a daemon) and later calls get a fresh one.
   *
   * @throws TimeoutException if the task did not finish within the timeout
   */
  synchronized <T> T call(Callable<T> task) throws Exception {
    Future<T> future = executor.submit(task);
    try {
      return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception exception) {
        throw exception;
      }
      throw (Error) cause;
    } catch (TimeoutException e) {
      future.cancel(true);
      executor.shutdownNow();
      executor = newExecutor();
      throw e;
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw e;
    }
  }

  /** Runs one task on its own daemon thread, for callers without a {@link BoundedCalls}. */
  static <T> T once(Callable<T> task, Duration timeout) throws Exception {
    try (BoundedCalls calls = new BoundedCalls(timeout)) {
      return calls.call(task);
    }
  }

  /**
   * {@link #once}, for a task whose result must be closed: a result that arrives after the
   * timeout is closed by the worker thread, since the caller has gone and nobody else will.
   */
  static <T extends AutoCloseable> T onceClosingLate(Callable<T> task, Duration timeout)
      throws Exception {
    Object gone = new Object();
    AtomicReference<Object> slot = new AtomicReference<>();
    try {
      return once(() -> {
        T result = task.call();
        if (!slot.compareAndSet(null, result)) {
          result.close();
        }
        return result;
      }, timeout);
    } catch (TimeoutException | InterruptedException e) {
      Object arrived = slot.getAndSet(gone);
      if (arrived != null && arrived != gone) {
        @SuppressWarnings("unchecked")
        T result = (T) arrived; // answered just as the time ran out
        return result;
      }
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    executor.shutdownNow();
  }

  private static ExecutorService newExecutor() {
    return Executors.newSingleThreadExecutor(runnable -> {
      Thread thread = new Thread(runnable, "credstore-keychain-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
  }
}
