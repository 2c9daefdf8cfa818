package dev.credstore.cli.console;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** A terminal that answers prompts from a script and keeps what it handed out. */
public final class ScriptedTerminal implements Terminal {

  public final List<String> prompts = new ArrayList<>();
  public final List<char[]> handedOut = new ArrayList<>();
  private final Deque<String> answers = new ArrayDeque<>();

  public ScriptedTerminal(String... answers) {
    this.answers.addAll(List.of(answers));
  }

  /** Lines for {@link #readLine}: confirmations, typed with echo. */
  public final Deque<String> lines = new ArrayDeque<>();
  /** What {@link #outputIsTerminal} and {@link #inputIsTerminal} say. */
  public boolean interactive;

  @Override
  public boolean isPresent() {
    return true;
  }

  @Override
  public String readLine(String prompt) {
    prompts.add(prompt);
    return lines.pollFirst();
  }

  @Override
  public boolean outputIsTerminal() {
    return interactive;
  }

  @Override
  public boolean inputIsTerminal() {
    return interactive;
  }

  @Override
  public char[] readPassword(String prompt) {
    prompts.add(prompt);
    if (answers.isEmpty()) {
      return null;
    }
    char[] answer = answers.removeFirst().toCharArray();
    handedOut.add(answer);
    return answer;
  }
}
