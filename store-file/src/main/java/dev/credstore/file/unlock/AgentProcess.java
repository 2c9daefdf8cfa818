package dev.credstore.file.unlock;

import dev.credstore.api.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starting one store's {@link UnlockAgent}: a JVM of the same class path with a small heap and
 * nothing that could copy its memory to disk, no environment but PATH and LANG, the key handed
 * over on its standard input (never in argv or the environment), and a wait for its ready line.
 */
final class AgentProcess {

  /** The agent process's main class: {@link UnlockAgent} with the file store's {@code Opener}. */
  static final String AGENT_MAIN = "dev.credstore.file.UnlockAgentMain";
  private static final long START_TIMEOUT_MILLIS = 20_000;

  private AgentProcess() {}

  /**
   * Starts the agent for {@code socket}, hands it {@code binding} and {@code dataKey}, and returns
   * once it listens; it ends by itself after {@code duration}.
   */
  static Process start(Path socket, byte[] binding, byte[] dataKey, Duration duration)
      throws StorageException {
    Process agent = launch(socket, duration);
    byte[] input = new byte[Wire.BINDING_BYTES + Wire.KEY_BYTES];
    System.arraycopy(binding, 0, input, 0, Wire.BINDING_BYTES);
    System.arraycopy(dataKey, 0, input, Wire.BINDING_BYTES, Wire.KEY_BYTES);
    try (OutputStream in = agent.getOutputStream()) {
      in.write(input);
    } catch (IOException e) {
      agent.destroy();
      throw new StorageException("cannot hand the key to the unlock agent: " + e.getMessage(), e);
    } finally {
      Arrays.fill(input, (byte) 0);
    }
    awaitReady(agent);
    return agent;
  }

  private static Process launch(Path socket, Duration duration) throws StorageException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> command = new ArrayList<>(List.of(java,
        // The heap holds at most one store file being opened (Wire.MAX_OPEN_BYTES) a few times.
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx48m", "-Xss256k",
        // No hsperfdata file in /tmp, no attach socket, no core or error file with our memory.
        "-XX:-UsePerfData", "-XX:+DisableAttachMechanism", "-XX:-CreateCoredumpOnCrash",
        "-XX:ErrorFile=/dev/null",
        "-cp", System.getProperty("java.class.path"),
        AGENT_MAIN, socket.toString(),
        Long.toString(System.currentTimeMillis() + duration.toMillis())));
    ProcessBuilder builder = new ProcessBuilder(command)
        .directory(Path.of("/").toFile())
        .redirectError(ProcessBuilder.Redirect.DISCARD);
    builder.environment().keySet().removeIf(name -> !name.equals("PATH") && !name.equals("LANG"));
    try {
      return builder.start();
    } catch (IOException e) {
      throw new StorageException("cannot start the unlock agent (" + java + "): "
          + e.getMessage(), e);
    }
  }

  private static void awaitReady(Process agent) throws StorageException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MILLIS);
    byte[] expected = (UnlockAgent.READY + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] got = new byte[expected.length];
    int read = 0;
    try (InputStream out = agent.getInputStream()) {
      while (read < got.length) {
        if (out.available() > 0) {
          int n = out.read(got, read, got.length - read);
          if (n < 0) {
            break;
          }
          read += n;
        } else if (!agent.isAlive() || System.nanoTime() > deadline) {
          break;
        } else {
          Thread.sleep(5);
        }
      }
    } catch (IOException e) {
      read = -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      read = -1;
    }
    if (read != got.length || !Arrays.equals(got, expected)) {
      agent.destroy();
      throw new StorageException("the unlock agent did not start"
          + (agent.isAlive() ? " within " + START_TIMEOUT_MILLIS / 1000 + " s" : " (it exited)"));
    }
  }
}
