package dev.credstore.cli.migrate;

import dev.credstore.api.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The one surgical editor for line-oriented files (git-credential-store's file, INI-style files
 * such as {@code ~/.npmrc}): remove whole lines, or replace a byte range inside one line. Line
 * breaks (LF or CRLF), a BOM and every untouched line stay byte for byte. {@link #result(Check)}
 * hands original and result to the format's own parser, which must find exactly the expected
 * difference.
 */
public final class LineSurgery {

  /** A line: bytes [start, end) without its break, which runs to {@code next}. */
  public record Line(int number, int start, int end, int next) {}

  /** The format's own re-read of original and result. */
  @FunctionalInterface
  public interface Check {
    /** @throws ConfigurationException if {@code after} is not {@code before} with the edits */
    void verify(byte[] before, byte[] after) throws ConfigurationException;
  }

  private final byte[] original;
  private final List<Line> lines;
  private final TreeMap<Integer, byte[]> edits = new TreeMap<>();
  private final TreeMap<Integer, int[]> ranges = new TreeMap<>();

  private LineSurgery(byte[] original) {
    this.original = original;
    this.lines = split(original);
  }

  public static LineSurgery of(byte[] bytes) {
    return new LineSurgery(bytes);
  }

  /** The lines; the first starts after a UTF-8 BOM, if there is one. */
  public static List<Line> split(byte[] bytes) {
    List<Line> lines = new ArrayList<>();
    int start = hasBom(bytes) ? 3 : 0;
    int number = 1;
    while (start < bytes.length) {
      int newline = start;
      while (newline < bytes.length && bytes[newline] != '\n') {
        newline++;
      }
      int end = newline > start && bytes[newline - 1] == '\r' ? newline - 1 : newline;
      lines.add(new Line(number++, start, end, Math.min(newline + 1, bytes.length)));
      start = newline + 1;
    }
    return lines;
  }

  public static boolean hasBom(byte[] bytes) {
    return bytes.length >= 3 && (bytes[0] & 0xff) == 0xef && (bytes[1] & 0xff) == 0xbb
        && (bytes[2] & 0xff) == 0xbf;
  }

  /** A line's text without its break; for non-secret lines only. */
  public static String text(byte[] bytes, Line line) {
    return new String(bytes, line.start(), line.end() - line.start(), StandardCharsets.UTF_8);
  }

  public List<Line> lines() {
    return lines;
  }

  /** Removes {@code line} and its line break. */
  public LineSurgery removeLine(Line line) {
    claim(line, line.start(), line.next(), new byte[0]);
    return this;
  }

  /** Replaces bytes [from, to) of {@code line} with {@code replacement}. */
  public LineSurgery replace(Line line, int from, int to, String replacement) {
    if (from < line.start() || to > line.end() || from > to) {
      throw new IllegalArgumentException("range outside line " + line.number());
    }
    claim(line, from, to, replacement.getBytes(StandardCharsets.UTF_8));
    return this;
  }

  private void claim(Line line, int from, int to, byte[] replacement) {
    if (ranges.containsKey(line.number())) {
      throw new IllegalArgumentException("line " + line.number() + " is edited twice");
    }
    ranges.put(line.number(), new int[] {from, to});
    edits.put(line.number(), replacement);
  }

  /** The edited bytes, after {@code check} accepted them. */
  public byte[] result(Check check) throws ConfigurationException {
    int size = original.length;
    for (var entry : ranges.entrySet()) {
      size += edits.get(entry.getKey()).length - (entry.getValue()[1] - entry.getValue()[0]);
    }
    byte[] result = new byte[size];
    int from = 0;
    int to = 0;
    for (var entry : ranges.entrySet()) {
      int[] range = entry.getValue();
      byte[] replacement = edits.get(entry.getKey());
      System.arraycopy(original, from, result, to, range[0] - from);
      to += range[0] - from;
      System.arraycopy(replacement, 0, result, to, replacement.length);
      to += replacement.length;
      from = range[1];
    }
    System.arraycopy(original, from, result, to, original.length - from);
    check.verify(original, result);
    return result;
  }
}
