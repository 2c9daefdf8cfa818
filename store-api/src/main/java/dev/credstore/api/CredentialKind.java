package dev.credstore.api;

/** What a credential's secret is. */
public enum CredentialKind {
  /** A bearer token: the secret alone authenticates. */
  TOKEN,
  /** An API key: a non-secret key name (or key id) plus the secret. */
  API_KEY
}
