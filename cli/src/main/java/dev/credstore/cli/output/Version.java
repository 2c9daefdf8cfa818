package dev.credstore.cli.output;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest, written by the build: for --version and helpers' version. */
public final class Version implements IVersionProvider {

  @Override
  public String[] getVersion() {
    String version = Version.class.getPackage().getImplementationVersion();
    return new String[] {
        "credstore " + (version == null ? "(development build)" : version),
        "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor")
            + ")"};
  }
}
