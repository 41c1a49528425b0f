/**
 * The reference client: a ComfyUI client that never loses a finished job. Browser-safe: nothing
 * here imports a Node built-in; Node users add a socket factory from `./node.ts`.
 */
export { ReferenceClient, type ReferenceClientOptions } from './reference-client.ts';
export {
  WindowSession,
  type WindowSessionOptions,
  type SubmitOptions,
  type SubmitResult,
  type Job,
  type CancelResult,
  type SessionStatus,
} from './window-session.ts';
export { ServerPool, normaliseServerUrl } from './server-pool.ts';
export {
  defaultTimings,
  resolveTimings,
  resolveTransport,
  type TimingOptions,
  type TransportOptions,
  type ResolvedTimings,
} from './options.ts';
export type {
  SessionEvents,
  SubmittedEvent,
  ProgressEvent,
  PreviewEvent,
  CompletedEvent,
  FailedEvent,
  FailedReason,
  InterruptedEvent,
  LostEvent,
  ConnectionEvent,
  JobOutcome,
  Listener,
} from './events.ts';
export { mutantNames, isMutantName, resolveMutation, type MutantName, type MutationOptions } from './mutants.ts';
export { ReferenceClientError, type ReferenceClientErrorCode } from './errors.ts';
export { TolerantParser, emptyParserStats, type ParsedFrame, type ParserStats, type SkipReason } from './tolerant-parser.ts';
export { Backoff, type BackoffOptions } from './backoff.ts';
export { Connection, webSocketUrl, type ConnectionState, type ConnectionStats } from './connection.ts';
export { ComfyHttp, type UploadFile, type QueueSnapshot, type TolerantHistoryEntry } from './http-api.ts';
export { JobRegistry, type JobRecord, type JobState, type RegistryCounts } from './job-registry.ts';
export { observeJobs, historyOutcome, type JobObservation, type HistoryOutcome } from './resync.ts';
export { seededRandom, uuid4, type Random } from './seeded-random.ts';
