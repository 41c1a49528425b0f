import type { ScenarioInput } from '../scenario.ts';
import { atMs, onFirstNode, onMessage, onOutput, onPrompt, sleepJob } from './builders.ts';

/**
 * Group 2, connection loss at every phase of a job. ComfyUI keeps nothing for a disconnected
 * client: whatever was sent while the socket was down is gone, and only HTTP (`/queue`,
 * `/history`) can tell what happened (comfyui-protocol.md section 5). A job of 1 s in 10 steps;
 * the reference client reconnects within ~100 ms while a job is pending and resyncs over HTTP.
 * A phase of the job is a server-side trigger (`onPrompt`, `onOutput`), not a frame: ComfyUI sends
 * `execution_start`, `executed` and `execution_success` only to a client that gave a client_id, and
 * the phase must come for every client.
 */
const job = () => sleepJob('j1', 1_000, 10);
/** A socket drop costs a reconnect and a resync: well under a second on a healthy loopback. */
const bounds = { latencyBoundMs: 3_000, recoveryBoundMs: 5_000, maxRunMs: 30_000 } as const;

export const group2Connection: ScenarioInput[] = [
  {
    id: '2.1',
    name: 'terminate-before-execution-start',
    purpose: 'The socket dies (1006) just before execution_start: the whole run happens unseen or after a reconnect, completed once',
    jobs: [job()],
    faults: [{ type: 'terminate', at: onPrompt('started') }],
    ...bounds,
  },
  {
    id: '2.2',
    name: 'terminate-mid-progress',
    purpose: 'The socket dies (1006) between two progress steps: the client reconnects, resyncs and completes the job once',
    jobs: [job()],
    faults: [{ type: 'terminate', at: onMessage('progress', { prompt: 1, occurrence: 4 }) }],
    ...bounds,
  },
  {
    id: '2.3',
    name: 'terminate-between-executing-and-executed',
    purpose: 'The socket dies (1006) just before executed: the job completes exactly once via resync, outputs from history',
    jobs: [job()],
    faults: [{ type: 'terminate', at: onOutput() }],
    ...bounds,
  },
  {
    id: '2.4',
    name: 'terminate-between-success-and-executing-null',
    purpose: 'The socket dies right after execution_success, as history is written, before the final status and executing{null}: completed once, not twice',
    jobs: [job()],
    faults: [{ type: 'terminate', at: onPrompt('history_written') }],
    ...bounds,
  },
  {
    id: '2.5',
    name: 'close-1001-going-away',
    purpose: 'A clean close with 1001 (a proxy going away) mid-progress: the client reconnects rather than giving up',
    jobs: [job()],
    faults: [{ type: 'close', code: 1001, reason: 'going away', at: onMessage('progress', { prompt: 1, occurrence: 3 }) }],
    ...bounds,
  },
  {
    id: '2.6',
    name: 'close-1011-internal-error',
    purpose: 'A close with 1011 (server error) just after execution_start: reconnect, resync, completed once',
    jobs: [job()],
    faults: [{ type: 'close', code: 1011, reason: 'internal error', at: onFirstNode() }],
    ...bounds,
  },
  {
    id: '2.7',
    name: 'close-4000-application-code',
    purpose: 'A close with an application code (4000, as an auth or relay layer sends) before executed: still reconnect and complete',
    jobs: [job()],
    faults: [{ type: 'close', code: 4000, reason: 'relay: session moved', at: onOutput() }],
    ...bounds,
  },
  {
    id: '2.8',
    name: 'ten-minute-outage',
    purpose: 'The socket drops and upgrades are refused for 10 minutes while a 1-minute job finishes: completed (over HTTP) with no hang',
    jobs: [sleepJob('j1', 60_000, 20)],
    faults: [
      { type: 'terminate', at: onMessage('progress', { occurrence: 3 }) },
      { type: 'refuse_upgrades', durationMs: 600_000, at: onMessage('progress', { occurrence: 3, when: 'after' }) },
    ],
    // HTTP stays up, so polling (1 s) finds the result soon after the job ends; the socket
    // itself only comes back after the ten minutes.
    latencyBoundMs: 5_000,
    recoveryBoundMs: 60_000,
    maxRunMs: 1_200_000,
    transports: ['memory'],
  },
  {
    id: '2.9',
    name: 'server-unreachable-ten-minutes',
    purpose: 'Nothing answers for 10 minutes (socket and HTTP) while the job finishes: the client keeps trying and reports it completed after',
    jobs: [sleepJob('j1', 60_000, 20)],
    // `restart` with state kept is a process that stops answering and comes back with its
    // queue and history (a frozen VM, a network outage in front of the server).
    faults: [{ type: 'restart', downMs: 600_000, loseState: false, at: onMessage('progress', { occurrence: 3 }) }],
    // Reported within one capped reconnect delay (15 s) or one poll of the server coming back.
    latencyBoundMs: 600_000,
    recoveryBoundMs: 20_000,
    maxRunMs: 1_200_000,
    transports: ['memory'],
  },
  {
    id: '2.10',
    name: 'refused-reconnects',
    purpose: 'After a drop, WebSocket upgrades get 503 for 3 s while HTTP works: the job is completed by polling, not left pending',
    jobs: [sleepJob('j1', 1_500, 10)],
    faults: [
      { type: 'terminate', at: onMessage('progress', { occurrence: 3 }) },
      { type: 'refuse_upgrades', durationMs: 3_000, status: 503, at: onMessage('progress', { occurrence: 3, when: 'after' }) },
    ],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '2.11',
    name: 'reconnects-die-on-connect',
    purpose: 'After a drop, the next two sockets die as soon as they are accepted: the client backs off, tries again and completes',
    jobs: [job()],
    faults: [
      { type: 'terminate', at: onMessage('progress', { occurrence: 3 }) },
      { type: 'terminate', at: { on: 'connect', occurrence: 2 } },
      { type: 'terminate', at: { on: 'connect', occurrence: 3 } },
    ],
    ...bounds,
  },
  {
    id: '2.12',
    name: 'drop-while-idle-between-jobs',
    purpose: 'The socket dies while no job is pending; the next job still gets a live socket and completes',
    jobs: [sleepJob('j1', 500, 5), sleepJob('j2', 800, 8, { submitAtMs: 2_000 })],
    faults: [{ type: 'terminate', at: atMs(1_500) }],
    ...bounds,
  },
  {
    id: '2.13',
    name: 'blip-while-first-of-two-ends',
    purpose:
      'Two jobs queued; the socket blips (1006, upgrades refused for 0.4 s) while the first one ends, and the second runs on for 8 s, so no empty-queue status comes soon: only the HTTP resync on reconnect reports the first job in time',
    jobs: [sleepJob('j1', 1_000, 10), sleepJob('j2', 8_000, 16, { submitAtMs: 50 })],
    faults: [
      { type: 'terminate', at: onOutput() },
      { type: 'refuse_upgrades', durationMs: 400, at: onOutput() },
    ],
    ...bounds,
  },
];
