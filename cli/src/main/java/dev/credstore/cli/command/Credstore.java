package dev.credstore.cli.command;

import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.output.Version;
import dev.credstore.cli.session.Context;
import dev.credstore.cli.session.GlobalOptions;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.IGetter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The root command: global flags, subcommands, help and exit-code table. */
@Command(name = "credstore",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Keeps tokens and API keys for command-line tools in the OS keychain or an "
        + "encrypted file, never in plaintext.",
    footerHeading = "%nEnvironment:%n",
    footer = {
        // Each line fits the narrowest help (55 columns), so that none is wrapped.
        "  CREDSTORE_BACKEND          auto, keychain, file, pass",
        "  CREDSTORE_STORE            the file store's file",
        "  CREDSTORE_PASSPHRASE       its passphrase",
        "  CREDSTORE_PASSPHRASE_FILE  a file with it (mode 600)",
        "  CREDSTORE_NEW_PASSPHRASE   the new one, for passwd",
        "  CREDSTORE_UNLOCK           off: no unlock cache",
        "  XDG_RUNTIME_DIR            has the unlock socket",
        "  XDG_CONFIG_HOME            has credstore/config.json",
        "  XDG_DATA_HOME              has the file store",
        "",
        "Secrets never come from the command line: pipe them with --token-stdin or "
            + "--secret-stdin, or type them at the hidden prompt. Output is never coloured."})
public final class Credstore implements Callable<Integer> {

  @Spec CommandSpec spec;

  final Context context;
  /** Set by the options {@link #addGlobalOptions} adds; every subcommand inherits them. */
  final GlobalOptions global = new GlobalOptions();

  Credstore(Context context) {
    this.context = context;
  }

  // Subcommands in help order. picocli builds each one's model by reflection when it is added,
  // about 10 ms apiece; a script's `credstore get` should not pay for the other fourteen.
  private static final Map<String, Class<?>> SUBCOMMANDS = subcommands(LoginCommand.class,
      GetCommand.class, ListCommand.class, LogoutCommand.class, StatusCommand.class,
      MigrateCommand.class, RotateCommand.class, ExecCommand.class, PasswdCommand.class,
      RekeyCommand.class, UnlockCommand.class, LockCommand.class, DoctorCommand.class,
      GitCredentialCommand.class, DockerCredentialCommand.class);

  /** The command line with every subcommand: for help, tests and anything unusual. */
  public static CommandLine commandLine(Context context, PrintWriter out, PrintWriter err) {
    return commandLine(context, out, err, SUBCOMMANDS.values());
  }

  /**
   * The command line for {@code args}: with only the subcommand they name when that is clear,
   * else with all of them, so that help, suggestions and errors are exactly as usual.
   */
  public static CommandLine commandLineFor(Context context, PrintWriter out, PrintWriter err,
      String... args) {
    Class<?> named = SUBCOMMANDS.get(subcommandName(args));
    return commandLine(context, out, err,
        named == null ? SUBCOMMANDS.values() : List.of(named));
  }

  static String subcommandName(String... args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--")) {
        return null;
      }
      GlobalOptions.Flag global = GlobalOptions.Flag.named(arg);
      if (global != null && global.takesValue()) { // its value is not a subcommand name
        i++;
      } else if (!arg.startsWith("-")) {
        return arg;
      }
    }
    return null;
  }

  private static Map<String, Class<?>> subcommands(Class<?>... classes) {
    Map<String, Class<?>> byName = new LinkedHashMap<>();
    for (Class<?> type : classes) {
      byName.put(type.getAnnotation(Command.class).name(), type);
    }
    return Collections.unmodifiableMap(byName);
  }

  private static CommandLine commandLine(Context context, PrintWriter out, PrintWriter err,
      Collection<Class<?>> subcommands) {
    Credstore root = new Credstore(context);
    CommandLine commandLine = new CommandLine(root);
    addGlobalOptions(commandLine.getCommandSpec(), root.global);
    for (Class<?> subcommand : subcommands) {
      commandLine.addSubcommand(subcommand);
    }
    // --help and --version for every subcommand, but the Docker helper: its protocol owns them.
    for (Map.Entry<String, CommandLine> added : commandLine.getSubcommands().entrySet()) {
      if (!added.getKey().equals("docker-credential")) {
        added.getValue().getCommandSpec().mixinStandardHelpOptions(true);
      }
    }
    ExitCodes exitCodes = new ExitCodes(root.global::verbose);
    commandLine.setExitCodeExceptionMapper(exitCodes);
    commandLine.setExecutionExceptionHandler(exitCodes);
    commandLine.setParameterExceptionHandler(exitCodes);
    commandLine.addSubcommand(new HelpCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    HelpLayout.apply(commandLine, context.environment());
    return commandLine;
  }

  /**
   * The global flags from their one table, as options that {@link ScopeType#INHERIT} copies to
   * each subcommand added later, all bound to {@code global}.
   */
  private static void addGlobalOptions(CommandSpec spec, GlobalOptions global) {
    for (GlobalOptions.Flag flag : GlobalOptions.Flag.values()) {
      OptionSpec.Builder option = OptionSpec.builder(flag.flagName())
          .type(flag.type())
          .description(flag.description())
          .scopeType(ScopeType.INHERIT)
          .getter(new IGetter() {
            @SuppressWarnings("unchecked")
            @Override
            public <T> T get() {
              return (T) flag.valueIn(global);
            }
          })
          .setter(new ISetter() {
            @SuppressWarnings("unchecked")
            @Override
            public <T> T set(T value) {
              T previous = (T) flag.valueIn(global);
              flag.assign(global, value);
              return previous;
            }
          });
      if (flag.takesValue()) {
        option.paramLabel(flag.label());
      }
      if (flag == GlobalOptions.Flag.BACKEND) {
        option.completionCandidates(new Completions.Backends());
      }
      spec.addOption(option.build());
    }
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing command: use one of login, get, list, logout, status, migrate, rotate, exec, "
            + "passwd, rekey, unlock, lock, doctor, git-credential, docker-credential");
  }
}
