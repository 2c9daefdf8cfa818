package dev.credstore.cli.session;

import java.nio.file.Path;

/**
 * The flags every command accepts, before or after the subcommand name, and their values for one
 * run. {@link Flag} is the one table of them: the picocli root command builds its options from it
 * and the fast {@code get} path parses with it, so both take exactly the same flags.
 */
public final class GlobalOptions {

  /** The global flags: name, value label (null for a switch) and help text. */
  public enum Flag {
    BACKEND("--backend", "auto|keychain|file|pass",
        "Backend to use (default: CREDSTORE_BACKEND, then config.json, then auto)."),
    STORE("--store", "PATH",
        "Encrypted store file for the file backend (default: CREDSTORE_STORE, then "
            + "config.json, then $XDG_DATA_HOME/credstore/credentials.cstore)."),
    PASSPHRASE_FILE("--passphrase-file", "PATH",
        "File whose first line is the file store's passphrase (mode 600). Otherwise "
            + "CREDSTORE_PASSPHRASE_FILE, config.json, CREDSTORE_PASSPHRASE, or a hidden prompt."),
    VERBOSE("--verbose", null,
        "Print stack traces with errors, and notes such as where a token came from."),
    COMPACT("--compact", null,
        "JSON on one line, as it is whenever standard output is not a terminal.");

    private final String flagName;
    private final String label;
    private final String description;

    Flag(String flagName, String label, String description) {
      this.flagName = flagName;
      this.label = label;
      this.description = description;
    }

    /** The flag spelled {@code name} exactly, or null. */
    public static Flag named(String name) {
      for (Flag flag : values()) {
        if (flag.flagName.equals(name)) {
          return flag;
        }
      }
      return null;
    }

    public String flagName() {
      return flagName;
    }

    /** The value's label in help, e.g. {@code PATH}; null for a switch. */
    public String label() {
      return label;
    }

    public String description() {
      return description;
    }

    public boolean takesValue() {
      return label != null;
    }

    /** The type picocli converts the value to. */
    public Class<?> type() {
      return switch (this) {
        case BACKEND -> String.class;
        case STORE, PASSPHRASE_FILE -> Path.class;
        case VERBOSE, COMPACT -> boolean.class;
      };
    }

    /** This flag's value in {@code options}: null (or false) when not given. */
    public Object valueIn(GlobalOptions options) {
      return switch (this) {
        case BACKEND -> options.backend;
        case STORE -> options.store;
        case PASSPHRASE_FILE -> options.passphraseFile;
        case VERBOSE -> options.verbose;
        case COMPACT -> options.compact;
      };
    }

    /** Sets this flag in {@code options} to {@code value}, of {@link #type()} (or null). */
    public void assign(GlobalOptions options, Object value) {
      switch (this) {
        case BACKEND -> options.backend = (String) value;
        case STORE -> options.store = (Path) value;
        case PASSPHRASE_FILE -> options.passphraseFile = (Path) value;
        case VERBOSE -> options.verbose = value != null && (Boolean) value;
        case COMPACT -> options.compact = value != null && (Boolean) value;
      }
    }
  }

  private String backend;
  private Path store;
  private Path passphraseFile;
  private boolean verbose;
  private boolean compact;

  /**
   * For a parser without picocli: sets {@code flag} from the text after it ({@code text} is
   * ignored for a switch). Returns false, changing nothing, if the flag was given before.
   */
  public boolean setOnce(Flag flag, String text) {
    Object current = flag.valueIn(this);
    if (current != null && !Boolean.FALSE.equals(current)) {
      return false;
    }
    flag.assign(this, switch (flag) {
      case BACKEND -> text;
      case STORE, PASSPHRASE_FILE -> Path.of(text);
      case VERBOSE, COMPACT -> Boolean.TRUE;
    });
    return true;
  }

  /** {@code --backend}, or null. */
  public String backend() {
    return backend;
  }

  /** {@code --store}, or null. */
  public Path store() {
    return store;
  }

  /** {@code --passphrase-file}, or null. */
  public Path passphraseFile() {
    return passphraseFile;
  }

  /** {@code --verbose}. */
  public boolean verbose() {
    return verbose;
  }

  /** Whether --json output is indented: only for a person at a terminal who did not ask not to. */
  public boolean prettyJson(Context context) {
    return !compact && context.terminal().outputIsTerminal();
  }
}
