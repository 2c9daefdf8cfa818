package dev.credstore.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserDirectoriesTest {

  @Test
  void absoluteXdgVariables_win_relativeOrEmptyOnesAreIgnored() {
    UserDirectories set = UserDirectories.of(Map.of("HOME", "/home/u",
        "XDG_CONFIG_HOME", "/cfg", "XDG_DATA_HOME", "relative", "XDG_STATE_HOME", ""));
    assertEquals(Path.of("/home/u"), set.home());
    assertEquals(Path.of("/cfg/credstore"), set.credstoreConfig());
    assertEquals(Path.of("/home/u/.local/share/credstore"), set.credstoreData());
    assertEquals(Path.of("/home/u/.local/state/credstore"), set.credstoreState());
  }

  @Test
  void withoutHome_theJvmsUserHomeIsUsed() {
    assertEquals(Path.of(System.getProperty("user.home")).toAbsolutePath().normalize(),
        UserDirectories.of(Map.of("HOME", "")).home());
  }

  @Test
  void expand_takesTildeAsHome_andResolvesRelativePathsAgainstTheGivenDirectory() {
    UserDirectories set = UserDirectories.of(Map.of("HOME", "/home/u"));
    assertEquals(Path.of("/home/u"), set.expand("~", Path.of("/w")));
    assertEquals(Path.of("/home/u/s.cstore"), set.expand("~/s.cstore", Path.of("/w")));
    assertEquals(Path.of("/w/s.cstore"), set.expand("./x/../s.cstore", Path.of("/w")));
    assertEquals(Path.of("/abs"), set.expand("/abs", Path.of("/w")));
  }
}
