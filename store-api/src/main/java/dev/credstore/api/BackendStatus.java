package dev.credstore.api;

/**
 * One backend as {@code status} and {@code doctor} report it.
 *
 * @param id the provider id
 * @param description one line for humans
 * @param priority rank in automatic selection (higher first)
 * @param builtIn whether automatic selection may pick it
 * @param available whether its probe said it can work here
 * @param reason what the probe found, or why it is unavailable
 */
public record BackendStatus(String id, String description, int priority, boolean builtIn,
    boolean available, String reason) {}
