package dev.credstore.runtime;

import dev.credstore.spi.CredentialStoreProvider;
import dev.credstore.spi.Probe;
import dev.credstore.spi.StoreOptions;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/** A provider's probe with a deadline: {@link Backends} never waits on a backend for long. */
final class BoundedProbe {

  private BoundedProbe() {}

  // Probes run on a daemon thread so that a provider that blocks cannot hang selection or keep
  // the JVM alive; the thread is abandoned after the limit, and whatever its probe finds later
  // is closed by that thread, since nobody will open it.
  static Probe run(CredentialStoreProvider provider, StoreOptions options, Duration limit) {
    AtomicReference<Probe> slot = new AtomicReference<>();
    Probe abandoned = Probe.unavailable("did not answer within " + limit.toMillis() + " ms");
    FutureTask<Probe> task = new FutureTask<>(() -> {
      Probe answer = provider.probe(options);
      if (answer != null && !slot.compareAndSet(null, answer)) {
        answer.close();
      }
      return answer;
    });
    Thread thread = new Thread(task, "credstore-probe-" + ProviderRegistry.safeId(provider));
    thread.setDaemon(true);
    thread.start();
    try {
      Probe answer = task.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return answer != null ? answer : Probe.unavailable("probe gave no answer");
    } catch (TimeoutException e) {
      if (slot.compareAndSet(null, abandoned)) {
        task.cancel(true);
        return abandoned;
      }
      return slot.get(); // answered just as the time ran out
    } catch (ExecutionException e) {
      return Probe.unavailable("probe failed: " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (!slot.compareAndSet(null, abandoned)) {
        slot.get().close();
      }
      return Probe.unavailable("probe interrupted");
    }
  }
}
