package dev.credstore.cli.command;

import dev.credstore.cli.output.ExitCodes;
import dev.credstore.cli.session.Context;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** The root command: global flags, subcommands, help and exit-code table. */
@Command(name = "credstore",
    mixinStandardHelpOptions = true,
    versionProvider = Credstore.Version.class,
    description = "Keeps tokens and API keys for command-line tools in the OS keychain or an "
        + "encrypted file, never in plaintext.",
    footerHeading = "%nEnvironment:%n",
    footer = {
        // Each line fits the narrowest help (55 columns), so that none is wrapped.
        "  CREDSTORE_BACKEND          auto, keychain or file",
        "  CREDSTORE_STORE            the file store's file",
        "  CREDSTORE_PASSPHRASE       its passphrase",
        "  CREDSTORE_PASSPHRASE_FILE  a file with it (mode 600)",
        "  CREDSTORE_NEW_PASSPHRASE   the new one, for passwd",
        "  XDG_CONFIG_HOME            has credstore/config.json",
        "  XDG_DATA_HOME              has the file store",
        "",
        "Secrets never come from the command line: pipe them with --token-stdin or "
            + "--secret-stdin, or type them at the hidden prompt. Output is never coloured."})
public final class Credstore implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  final Context context;

  Credstore(Context context) {
    this.context = context;
  }

  // Subcommands in help order. picocli builds each one's model by reflection when it is added,
  // about 10 ms apiece; a script's `credstore get` should not pay for the other eleven.
  private static final Map<String, Class<?>> SUBCOMMANDS = subcommands(LoginCommand.class,
      GetCommand.class, ListCommand.class, LogoutCommand.class, StatusCommand.class,
      MigrateCommand.class, RotateCommand.class, ExecCommand.class, PasswdCommand.class,
      RekeyCommand.class, DoctorCommand.class, GitCredentialCommand.class,
      DockerCredentialCommand.class);
  // Global options that take a value, so that the value is not mistaken for a subcommand name.
  private static final Set<String> VALUED_GLOBALS = Set.of("--backend", "--store",
      "--passphrase-file");

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
      if (VALUED_GLOBALS.contains(arg)) {
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
    for (Class<?> subcommand : subcommands) {
      commandLine.addSubcommand(subcommand);
    }
    ExitCodes exitCodes = new ExitCodes(root.global);
    commandLine.setExitCodeExceptionMapper(exitCodes);
    commandLine.setExecutionExceptionHandler(exitCodes);
    commandLine.setParameterExceptionHandler(exitCodes);
    commandLine.addSubcommand(new HelpCommand());
    commandLine.setOut(out);
    commandLine.setErr(err);
    HelpLayout.apply(commandLine, context.environment());
    return commandLine;
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing command: use one of login, get, list, logout, status, migrate, rotate, exec, "
            + "passwd, rekey, doctor, git-credential, docker-credential");
  }

  /** The version from the jar manifest, written by the build. */
  public static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Credstore.class.getPackage().getImplementationVersion();
      return new String[] {
          "credstore " + (version == null ? "(development build)" : version),
          "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
              + ")"};
    }
  }
}
