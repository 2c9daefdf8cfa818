package dev.credstore.cli.command;

import dev.credstore.api.ConfigurationException;
import dev.credstore.api.StorageException;
import dev.credstore.cli.session.Context;
import dev.credstore.cli.session.GlobalOptions;
import dev.credstore.cli.session.StoreSession;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What every subcommand gets from the root command: the process context, the global flags, its
 * output streams, and the store session, loaded when first asked for, so that a command's usage
 * errors still come before configuration errors.
 */
abstract class BaseCommand implements Callable<Integer> {

  @ParentCommand Credstore root;
  @Spec CommandSpec spec;

  private StoreSession session;

  final Context context() {
    return root.context;
  }

  final GlobalOptions global() {
    return root.global;
  }

  final PrintWriter out() {
    return spec.commandLine().getOut();
  }

  final PrintWriter err() {
    return spec.commandLine().getErr();
  }

  /** Settings from flags, environment and config file; read once per run. */
  final StoreSession session() throws ConfigurationException, StorageException {
    if (session == null) {
      session = StoreSession.load(context(), global());
    }
    return session;
  }
}
