import type { ScenarioInput } from '../scenario.ts';
import { atMs, onMessage, onPrompt, sleepJob } from './builders.ts';

/**
 * Group 5, server restarts and deaf sockets. A restarted ComfyUI has lost its queue and history:
 * a job it was running is gone, and "in neither /queue nor /history" must be reported `lost`,
 * never `completed` (ComfyUI#1977). A deaf socket is open but receives nothing (the same-clientId
 * reconnect bug #16010, a stalled publish loop #15240, a half-open connection): only a client
 * that notices the silence while a job is pending recovers. Those scenarios ask for a short
 * health timeout (ComfyUI sends no heartbeat, so the default is 30 s) and keep frames coming
 * faster than it while the socket is healthy.
 */

/** Lost = reconnect after the restart, then three checks 1 s apart that find the job nowhere. */
const lostBounds = { latencyBoundMs: 3_000, recoveryBoundMs: 10_000, maxRunMs: 30_000 } as const;
const deafBounds = { latencyBoundMs: 5_000, recoveryBoundMs: 5_000, maxRunMs: 30_000 } as const;

export const group5RestartDeaf: ScenarioInput[] = [
  {
    id: '5.1',
    name: 'restart-loses-the-job',
    purpose: 'The server restarts mid-job and loses queue and history: the job is reported lost, not completed and not left pending',
    jobs: [sleepJob('j1', 1_500, 10)],
    faults: [{ type: 'restart', downMs: 1_000, loseState: true, at: onMessage('progress', { occurrence: 3 }) }],
    expect: { j1: 'lost' },
    ...lostBounds,
  },
  {
    id: '5.2',
    name: 'restart-keeps-state',
    purpose: 'The server is unreachable for 1 s mid-job but keeps its queue and history: the job is completed, not declared lost',
    jobs: [sleepJob('j1', 1_500, 10)],
    faults: [{ type: 'restart', downMs: 1_000, loseState: false, at: onMessage('progress', { occurrence: 3 }) }],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '5.3',
    name: 'deaf-same-clientid-reconnect',
    purpose: 'ComfyUI#16010: after a reconnect the socket is open but deaf; the client notices the silence and recovers the job',
    jobs: [sleepJob('j1', 2_000, 20)],
    faults: [
      { type: 'deaf_reconnect', at: atMs(0) },
      { type: 'terminate', at: onMessage('progress', { occurrence: 5 }) },
    ],
    clientHints: { healthTimeoutMs: 2_000 },
    ...deafBounds,
  },
  {
    id: '5.4',
    name: 'stalled-peer-then-flush',
    purpose: 'ComfyUI#15240: the publish loop stalls for 3 s (HTTP works), then flushes stale frames: completed once, the late frames ignored',
    jobs: [sleepJob('j1', 1_000, 10)],
    faults: [{ type: 'stalled_peer', durationMs: 3_000, at: onMessage('progress', { occurrence: 3, when: 'after' }) }],
    clientHints: { healthTimeoutMs: 1_500 },
    ...deafBounds,
  },
  {
    id: '5.5',
    name: 'half-open-silence',
    purpose: 'Sockets stay open but deliver nothing for 4 s (half-open); new sockets too: the client falls back to polling and completes',
    jobs: [sleepJob('j1', 1_000, 10)],
    faults: [{ type: 'silence', durationMs: 4_000, at: onMessage('progress', { occurrence: 3, when: 'after' }) }],
    clientHints: { healthTimeoutMs: 1_500 },
    ...deafBounds,
  },
  {
    id: '5.6',
    name: 'restart-loses-second-job',
    purpose: 'The first job completes, then a restart kills the second mid-run: first completed (once), second lost',
    // j2 comes a second after j1 ended, so "the first job completes" holds even on a loaded machine:
    // with j2 right behind j1, a client slow to read j1's history met the restart first (CI, once).
    jobs: [sleepJob('j1', 500, 5), sleepJob('j2', 1_500, 10, { submitAtMs: 1_500 })],
    faults: [{ type: 'restart', downMs: 1_000, loseState: true, at: onMessage('progress', { prompt: 2, occurrence: 3 }) }],
    expect: { j2: 'lost' },
    ...lostBounds,
  },
  {
    id: '5.7',
    name: 'restart-then-new-job',
    purpose: 'A job is lost in a restart; a job submitted after the server is back (new sid, empty queue) completes normally',
    jobs: [sleepJob('j1', 1_500, 10), sleepJob('j2', 800, 8, { submitAtMs: 3_000 })],
    faults: [{ type: 'restart', downMs: 1_000, loseState: true, at: onMessage('progress', { prompt: 1, occurrence: 3 }) }],
    expect: { j1: 'lost' },
    ...lostBounds,
  },
  {
    id: '5.8',
    name: 'restart-before-execution-start',
    purpose: 'The server restarts as the queued job is about to start: nothing of it ran or exists, so it is reported lost',
    jobs: [sleepJob('j1', 800, 8)],
    // The engine taking the prompt, not the execution_start frame: a client without client_id gets none.
    faults: [{ type: 'restart', downMs: 800, loseState: true, at: onPrompt('started') }],
    expect: { j1: 'lost' },
    ...lostBounds,
  },
  {
    id: '5.9',
    name: 'deaf-reconnect-before-second-job',
    purpose: 'ComfyUI#16010 while idle: the socket drops between jobs and comes back deaf; the second job is still completed',
    jobs: [sleepJob('j1', 500, 5), sleepJob('j2', 1_000, 10, { submitAtMs: 3_000 })],
    faults: [
      { type: 'deaf_reconnect', at: atMs(0) },
      { type: 'terminate', at: atMs(1_200) },
    ],
    clientHints: { healthTimeoutMs: 2_000 },
    ...deafBounds,
  },
  {
    id: '5.10',
    name: 'server-gone-for-good',
    purpose:
      'The server dies mid-job and never comes back (socket and HTTP): the client keeps trying, with capped backoff, up to its attempt limit and then reports the job failed, never pending for ever',
    jobs: [sleepJob('j1', 60_000, 20)],
    // Down for an hour: longer than the run, so for the client the server is gone for good.
    faults: [{ type: 'restart', downMs: 3_600_000, loseState: true, at: onMessage('progress', { occurrence: 3 }) }],
    expect: { j1: 'lost' },
    // The reference client gives up after 3600 attempts at most 200 ms apart (about 11 minutes).
    latencyBoundMs: 5_000,
    recoveryBoundMs: 900_000,
    maxRunMs: 900_000,
    transports: ['memory'],
  },
];
