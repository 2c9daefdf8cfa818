package dev.credstore.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The root command: global flags, subcommands, help and exit-code table. */
@Command(name = "credstore",
    mixinStandardHelpOptions = true,
    versionProvider = Credstore.Version.class,
    description = "Keeps tokens and API keys for command-line tools in the OS keychain or an "
        + "encrypted file, never in plaintext.",
    subcommands = {LoginCommand.class, GetCommand.class, ListCommand.class, LogoutCommand.class,
        StatusCommand.class, MigrateCommand.class, RotateCommand.class, ExecCommand.class,
        PasswdCommand.class, RekeyCommand.class, GitCredentialCommand.class,
        DockerCredentialCommand.class},
    footerHeading = "%nEnvironment:%n",
    footer = {
        "  CREDSTORE_BACKEND          auto, keychain or file",
        "  CREDSTORE_STORE            store file of the file backend",
        "  CREDSTORE_PASSPHRASE       passphrase of the file store",
        "  CREDSTORE_PASSPHRASE_FILE  file holding that passphrase (mode 600)",
        "  CREDSTORE_NEW_PASSPHRASE   new passphrase for passwd",
        "  XDG_CONFIG_HOME            config.json lives in $XDG_CONFIG_HOME/credstore",
        "  XDG_DATA_HOME              the file store lives in $XDG_DATA_HOME/credstore",
        "",
        "Secrets never come from the command line: pipe them with --token-stdin or "
            + "--secret-stdin, or type them at the hidden prompt. Output is never coloured."})
final class Credstore implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  final Context context;

  Credstore(Context context) {
    this.context = context;
  }

  /** The configured command line: subcommands, exit codes, error handling, output streams. */
  static CommandLine commandLine(Context context, PrintWriter out, PrintWriter err) {
    Credstore root = new Credstore(context);
    CommandLine commandLine = new CommandLine(root);
    ExitCodes exitCodes = new ExitCodes(root.global);
    commandLine.setExitCodeExceptionMapper(exitCodes);
    commandLine.setExecutionExceptionHandler(exitCodes);
    commandLine.setParameterExceptionHandler(exitCodes);
    commandLine.setOut(out);
    commandLine.setErr(err);
    addExitCodes(commandLine);
    return commandLine;
  }

  private static void addExitCodes(CommandLine commandLine) {
    commandLine.getCommandSpec().usageMessage()
        .exitCodeListHeading("%nExit codes:%n")
        .exitCodeList(ExitCodes.table());
    commandLine.getSubcommands().values().forEach(Credstore::addExitCodes);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(),
        "missing command: use one of login, get, list, logout, status, migrate, rotate, exec, "
            + "passwd, rekey, git-credential, docker-credential");
  }

  /** The version from the jar manifest, written by the build. */
  static final class Version implements IVersionProvider {
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
