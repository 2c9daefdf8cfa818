package dev.credstore.cli.migrate;

import dev.credstore.cli.migrate.IniFile.Entry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Secrets in INI files that credstore reports: {@code ~/.pypirc} passwords (twine and setuptools
 * read them; keyring or {@code TWINE_PASSWORD} replace them) and {@code ~/.aws/credentials} secret
 * keys ({@code $AWS_SHARED_CREDENTIALS_FILE}; a {@code credential_process} replaces them).
 * {@code variable} names the file instead of {@code ~/file} when set (null: none); {@code keys}
 * are the lower-case keys that hold secrets.
 */
record IniPasswordSource(String tool, String variable, String file, Set<String> keys,
    String advice) implements ReportingSource {

  static IniPasswordSource pypirc() {
    return new IniPasswordSource("pypirc", null, ".pypirc", Set.of("password"),
        "a plaintext index password: use an API token through keyring or TWINE_PASSWORD="
            + "$(credstore get pypi) and remove the line");
  }

  static IniPasswordSource aws() {
    return new IniPasswordSource("aws", "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials",
        Set.of("aws_secret_access_key", "aws_session_token"),
        "a plaintext AWS secret key: use SSO or a credential_process, and remove the line");
  }

  @Override
  public List<Path> files(Places places) {
    return List.of(variable == null ? places.inHome(file)
        : places.absolute(variable).orElse(places.inHome(file)));
  }

  @Override
  public List<Reported> report(Path path, byte[] bytes) {
    List<Reported> reported = new ArrayList<>();
    for (Entry entry : IniFile.entries(bytes, true)) {
      if (keys.contains(entry.key().toLowerCase(java.util.Locale.ROOT)) && !entry.isEmpty()) {
        reported.add(new Reported("[" + entry.section() + "] " + entry.key(), advice));
      }
    }
    return reported;
  }
}
