package dev.credstore.cli.migrate;

/**
 * A plaintext secret credstore reports but does not move (a {@code ~/.netrc} password, an OAuth
 * session, …): where it is and what the user can do. Holds no secret.
 *
 * @param locator the key or line, e.g. {@code machine example.com password}
 * @param advice one sentence, e.g. "switch to an API token: …"
 */
public record Reported(String locator, String advice) {}
