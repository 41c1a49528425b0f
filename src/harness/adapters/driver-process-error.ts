/** Errors of a driver process. `code` is stable, for programs; the message names the command, for people. */
export type DriverProcessErrorCode =
  /** The command line is empty, has an unterminated quote, or uses shell syntax we do not run. */
  | 'CC_ERR_DRIVER_COMMAND'
  /** The program could not be started (not found, not executable). */
  | 'CC_ERR_DRIVER_SPAWN'
  /** The driver ended before it printed `{"type":"ready"}`. */
  | 'CC_ERR_DRIVER_EXITED'
  /** The driver did not print `{"type":"ready"}` within `readyTimeoutMs`. */
  | 'CC_ERR_DRIVER_NOT_READY'
  /** `start()` was called twice. */
  | 'CC_ERR_DRIVER_STATE';

export class DriverProcessError extends Error {
  override name = 'DriverProcessError';
  constructor(
    readonly code: DriverProcessErrorCode,
    message: string,
  ) {
    super(`comfy-chaos driver: ${message}`);
  }
}
