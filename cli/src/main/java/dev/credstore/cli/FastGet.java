package dev.credstore.cli;

import dev.credstore.cli.command.GetCommand;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.Context;
import dev.credstore.cli.session.GlobalOptions;
import java.io.PrintWriter;

/**
 * {@code credstore get} without picocli. Scripts call {@code get} in loops, and building picocli's
 * model costs more than everything else a keychain {@code get} does (about 120 ms of 300 here).
 * Only the plain forms are taken: {@code get SERVICE} with {@code --account}, {@code --json},
 * {@code --no-env} and the global flags (from their one table, {@link GlobalOptions.Flag}), each
 * at most once. Anything else, from {@code --help} to
 * a typo or an {@code @argument-file}, returns null and goes through picocli, so usage errors read
 * exactly as before; {@code FastGetTest} checks that both paths give the same output and exit code.
 */
final class FastGet {

  private final GlobalOptions global = new GlobalOptions();
  private String service;
  private String account;
  private boolean json;
  private boolean noEnv;

  private FastGet() {}

  /** The parsed command, or null if picocli should handle {@code args}. */
  static FastGet parse(String... args) {
    FastGet get = new FastGet();
    boolean sawGet = false;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      GlobalOptions.Flag global = GlobalOptions.Flag.named(name);
      boolean valued = global != null ? global.takesValue() : name.equals("--account");
      boolean flag = global != null ? !global.takesValue()
          : name.equals("--json") || name.equals("--no-env");
      if (valued) {
        if (value == null) {
          if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
            return null;
          }
          value = args[++i];
        }
        if (value.isEmpty() || !(global != null ? get.global.setOnce(global, value)
            : get.setAccount(value, sawGet))) {
          return null;
        }
      } else if (flag) {
        if (value != null || !(global != null ? get.global.setOnce(global, null)
            : get.flag(name, sawGet))) {
          return null;
        }
      } else {
        // "@file" is picocli's argument-file syntax: leave its expansion to picocli.
        if (arg.startsWith("-") || arg.startsWith("@") || value != null) {
          return null;
        }
        if (!sawGet) {
          if (!arg.equals("get")) {
            return null;
          }
          sawGet = true;
        } else if (get.service == null) {
          get.service = arg;
        } else {
          return null;
        }
      }
    }
    return sawGet && get.service != null ? get : null;
  }

  /** Runs it, with the same error handling and exit codes as the picocli path. */
  int run(Context context, PrintWriter out, PrintWriter err) {
    try {
      return GetCommand.get(context, global, service, account, json, noEnv, out, err);
    } catch (Exception e) {
      return new ExitCodes(global::verbose).report(e, err);
    }
  }

  private boolean setAccount(String value, boolean afterGet) {
    if (!afterGet || account != null) {
      return false;
    }
    account = value;
    return true;
  }

  private boolean flag(String name, boolean afterGet) {
    if (!afterGet || (name.equals("--json") ? json : noEnv)) {
      return false;
    }
    if (name.equals("--json")) {
      json = true;
    } else {
      noEnv = true;
    }
    return true;
  }
}
