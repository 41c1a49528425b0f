/**
 * A mistake in how a run was asked for (an unknown scenario or client, a bad option, a missing
 * provider under --strict); the message says how to fix it. The CLI prints it and exits 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
