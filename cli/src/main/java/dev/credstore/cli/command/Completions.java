package dev.credstore.cli.command;

import dev.credstore.runtime.KnownServices;
import dev.credstore.runtime.ServiceDefinition;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** What shell completion offers for SERVICE and --backend; read when completions are generated. */
final class Completions {

  private Completions() {}

  /** The services credstore knows; reading the store at every Tab would cost a JVM start. */
  static final class Services implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      List<String> names = new ArrayList<>();
      for (ServiceDefinition service : KnownServices.builtIn().all()) {
        names.add(service.name());
      }
      return names.iterator();
    }
  }

  static final class Backends implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return List.of("auto", "keychain", "file", "pass").iterator();
    }
  }
}
