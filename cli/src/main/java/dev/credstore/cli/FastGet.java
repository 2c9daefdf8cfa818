package dev.credstore.cli;

import dev.credstore.cli.command.GetCommand;
import dev.credstore.cli.command.GlobalOptions;
import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.Context;
import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code credstore get} without picocli. Scripts call {@code get} in loops, and building picocli's
 * model costs more than everything else a keychain {@code get} does (about 120 ms of 300 here).
 * Only the plain forms are taken: {@code get SERVICE} with {@code --account}, {@code --json},
 * {@code --no-env} and the global flags, each at most once. Anything else, from {@code --help} to
 * a typo or an {@code @argument-file}, returns null and goes through picocli, so usage errors read
 * exactly as before; {@code
 * FastGetTest} checks that both paths give the same output and exit code.
 */
public final class FastGet {

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
      switch (name) {
        case "--backend", "--store", "--passphrase-file", "--account" -> {
          if (value == null) {
            if (i + 1 >= args.length || args[i + 1].startsWith("-")) {
              return null;
            }
            value = args[++i];
          }
          if (value.isEmpty() || !get.set(name, value, sawGet)) {
            return null;
          }
        }
        case "--json", "--no-env", "--verbose" -> {
          if (value != null || !get.flag(name, sawGet)) {
            return null;
          }
        }
        default -> {
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
    }
    return sawGet && get.service != null ? get : null;
  }

  /** Runs it, with the same error handling and exit codes as the picocli path. */
  int run(Context context, PrintWriter out, PrintWriter err) {
    try {
      return GetCommand.get(context, global, service, account, json, noEnv, out, err);
    } catch (Exception e) {
      return new ExitCodes(global).report(e, err);
    }
  }

  private boolean set(String name, String value, boolean afterGet) {
    switch (name) {
      case "--account" -> {
        if (!afterGet || account != null) {
          return false;
        }
        account = value;
      }
      case "--backend" -> {
        if (global.backend != null) {
          return false;
        }
        global.backend = value;
      }
      case "--store" -> {
        if (global.store != null) {
          return false;
        }
        global.store = Path.of(value);
      }
      default -> {
        if (global.passphraseFile != null) {
          return false;
        }
        global.passphraseFile = Path.of(value);
      }
    }
    return true;
  }

  private boolean flag(String name, boolean afterGet) {
    switch (name) {
      case "--json" -> {
        if (!afterGet || json) {
          return false;
        }
        json = true;
      }
      case "--no-env" -> {
        if (!afterGet || noEnv) {
          return false;
        }
        noEnv = true;
      }
      default -> {
        if (global.verbose) {
          return false;
        }
        global.verbose = true;
      }
    }
    return true;
  }
}
