package dev.credstore.cli.migrate;

import dev.credstore.cli.migrate.LineSurgery.Line;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * INI-style files as npm's {@code ini}, Python's {@code configparser} and the AWS CLI read them:
 * {@code [section]} headers, {@code key = value} (or {@code key: value}) lines, {@code ;} and
 * {@code #} comment lines. Values are located as byte ranges, so that a secret is never decoded
 * here; a surrounding pair of quotes is not part of the value.
 */
public final class IniFile {

  /**
   * One {@code key = value} line.
   *
   * @param section the section it is in, "" before the first header
   * @param key trimmed
   * @param valueStart first byte of the value (after the '=' and spaces, inside quotes)
   * @param valueEnd end of the value
   */
  public record Entry(Line line, String section, String key, int valueStart, int valueEnd) {
    public boolean isEmpty() {
      return valueEnd <= valueStart;
    }
  }

  private IniFile() {}

  /** Every entry of {@code bytes}, in order. Lines that are not entries are skipped. */
  public static List<Entry> entries(byte[] bytes, boolean colonSeparates) {
    List<Entry> entries = new ArrayList<>();
    String section = "";
    for (Line line : LineSurgery.split(bytes)) {
      int start = skipSpace(bytes, line.start(), line.end());
      if (start >= line.end() || bytes[start] == ';' || bytes[start] == '#') {
        continue;
      }
      if (bytes[start] == '[') {
        int close = start;
        while (close < line.end() && bytes[close] != ']') {
          close++;
        }
        section = new String(bytes, start + 1, Math.max(0, close - start - 1),
            StandardCharsets.UTF_8).strip();
        continue;
      }
      int separator = start;
      while (separator < line.end() && bytes[separator] != '='
          && !(colonSeparates && bytes[separator] == ':')) {
        separator++;
      }
      if (separator >= line.end()) {
        continue;
      }
      String key = new String(bytes, start, separator - start, StandardCharsets.UTF_8).strip();
      int valueStart = skipSpace(bytes, separator + 1, line.end());
      int valueEnd = line.end();
      while (valueEnd > valueStart && (bytes[valueEnd - 1] == ' ' || bytes[valueEnd - 1] == '\t')) {
        valueEnd--;
      }
      if (valueEnd - valueStart >= 2 && (bytes[valueStart] == '"' || bytes[valueStart] == '\'')
          && bytes[valueEnd - 1] == bytes[valueStart]) {
        valueStart++;
        valueEnd--;
      }
      entries.add(new Entry(line, section, key, valueStart, valueEnd));
    }
    return entries;
  }

  /** The value's bytes; the caller zeroes them. */
  public static byte[] value(byte[] bytes, Entry entry) {
    return java.util.Arrays.copyOfRange(bytes, entry.valueStart(), entry.valueEnd());
  }

  /** The value as text, for values that are not secrets. */
  public static String text(byte[] bytes, Entry entry) {
    return new String(bytes, entry.valueStart(), entry.valueEnd() - entry.valueStart(),
        StandardCharsets.UTF_8);
  }

  private static int skipSpace(byte[] bytes, int from, int end) {
    int i = from;
    while (i < end && (bytes[i] == ' ' || bytes[i] == '\t')) {
      i++;
    }
    return i;
  }
}
