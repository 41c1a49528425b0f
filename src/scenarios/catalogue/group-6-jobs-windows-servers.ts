import { txt2imgGraph } from '../graphs.ts';
import type { ScenarioInput } from '../scenario.ts';
import { atMs, failingJob, onMessage, sleepJob } from './builders.ts';

/**
 * Group 6, several jobs, several windows, several servers. A window (session) is the unit of
 * isolation: its own clientId and jobs, and no other window's events. A window locks the server
 * its jobs run on until they end (`servers: 2` gives the pool a choice). Cancelling goes through
 * the runner's `cancelAtMs`: a queued job is deleted, a running one interrupted; either way the
 * client reports `interrupted` (the driver protocol maps it to failed, reason `interrupted`).
 */
const bounds = { latencyBoundMs: 3_000, recoveryBoundMs: 5_000, maxRunMs: 30_000 } as const;

export const group6JobsWindowsServers: ScenarioInput[] = [
  {
    id: '6.1',
    name: 'happy-path',
    purpose: 'A fresh txt2img prompt and its fully cached rerun complete once each, with outputs from history',
    jobs: [
      { id: 'j1', prompt: txt2imgGraph({ steps: 4 }) },
      { id: 'j2', prompt: txt2imgGraph({ steps: 4 }), submitAtMs: 3_000 },
    ],
    ...bounds,
  },
  {
    id: '6.2',
    name: 'error-and-interrupt-are-failures',
    purpose: 'An execution_error is reported failed and an interrupted job interrupted, and the job between them still completes',
    jobs: [
      failingJob('j1', 'out of memory'),
      sleepJob('j2', 800, 8, { submitAtMs: 100 }),
      sleepJob('j3', 1_500, 15, { submitAtMs: 200, cancelAtMs: 1_500 }),
    ],
    expect: { j1: 'failed', j3: 'interrupted' },
    ...bounds,
  },
  {
    id: '6.3',
    name: 'two-jobs-one-window',
    purpose: 'One window queues two jobs at once and its socket drops during the first: both complete, each once, with its own outputs',
    jobs: [sleepJob('j1', 800, 8), sleepJob('j2', 800, 8)],
    faults: [{ type: 'terminate', at: onMessage('progress', { prompt: 1, occurrence: 4 }) }],
    ...bounds,
  },
  {
    id: '6.4',
    name: 'two-windows-isolated',
    purpose: 'Two windows submit at the same moment and both sockets drop mid-run: each window reports only its own job',
    jobs: [sleepJob('a1', 800, 8, { window: 'a' }), sleepJob('b1', 800, 8, { window: 'b' })],
    faults: [{ type: 'terminate', at: onMessage('progress', { prompt: 1, occurrence: 4 }) }],
    ...bounds,
  },
  {
    id: '6.5',
    name: 'cancel-pending-job',
    purpose: 'A job still waiting in the queue is cancelled: deleted on the server, reported interrupted, and the running job completes',
    jobs: [sleepJob('j1', 1_500, 15), sleepJob('j2', 800, 8, { submitAtMs: 100, cancelAtMs: 500 })],
    expect: { j2: 'interrupted' },
    ...bounds,
  },
  {
    id: '6.6',
    name: 'cancel-running-job',
    purpose: 'A running job is cancelled: ComfyUI interrupts it at the next step and the client reports interrupted, not failed or lost',
    jobs: [sleepJob('j1', 1_500, 15, { cancelAtMs: 500 })],
    expect: { j1: 'interrupted' },
    ...bounds,
  },
  {
    id: '6.7',
    name: 'cancel-during-outage',
    purpose: 'A running job is cancelled while its window\'s socket is refused: the cancel goes over HTTP and the job ends interrupted',
    jobs: [sleepJob('j1', 2_000, 20, { cancelAtMs: 600 })],
    faults: [
      { type: 'terminate', at: onMessage('progress', { occurrence: 3 }) },
      { type: 'refuse_upgrades', durationMs: 2_000, at: onMessage('progress', { occurrence: 3, when: 'after' }) },
    ],
    expect: { j1: 'interrupted' },
    ...bounds,
  },
  {
    id: '6.8',
    name: 'two-servers-two-windows',
    purpose: 'Two windows on a pool of two servers are spread over both (load balancing); each completes on the server it locked',
    servers: 2,
    jobs: [sleepJob('a1', 800, 8, { window: 'a' }), sleepJob('b1', 800, 8, { window: 'b' })],
    ...bounds,
  },
  {
    id: '6.9',
    name: 'two-servers-lock-follows-jobs',
    purpose: 'A window\'s second job goes to the server its first job runs on, while server 1 drops its sockets; the other window is unaffected',
    servers: 2,
    jobs: [
      sleepJob('a1', 1_000, 10, { window: 'a' }),
      sleepJob('b1', 1_000, 10, { window: 'b', submitAtMs: 100 }),
      sleepJob('a2', 800, 8, { window: 'a', submitAtMs: 300 }),
    ],
    faults: [{ type: 'terminate', at: onMessage('progress', { prompt: 1, occurrence: 5 }) }],
    ...bounds,
  },
  {
    id: '6.10',
    name: 'three-windows-mixed-outcomes',
    purpose: 'Three windows: one succeeds, one fails, one cancels a queued job, through a 1011 close: each window gets exactly its outcome',
    jobs: [
      sleepJob('a1', 1_000, 10, { window: 'a' }),
      failingJob('b1', 'CUDA error: device-side assert triggered', { window: 'b', submitAtMs: 100 }),
      sleepJob('c1', 800, 8, { window: 'c', submitAtMs: 200, cancelAtMs: 600 }),
    ],
    faults: [{ type: 'close', code: 1011, reason: 'internal error', at: onMessage('progress', { prompt: 1, occurrence: 3 }) }],
    expect: { b1: 'failed', c1: 'interrupted' },
    ...bounds,
  },
  {
    id: '6.11',
    name: 'window-moves-off-dead-server',
    purpose:
      'A window\'s job ends on server 1, whose lock is then released; server 1 dies for good, and the window\'s next job goes to server 2 and completes instead of failing against the dead server',
    servers: 2,
    jobs: [sleepJob('j1', 800, 8), sleepJob('j2', 800, 8, { submitAtMs: 5_000 })],
    // j1 ends at ~0.9 s and the lock goes 1 s later; server 1 dies at 3 s, before j2 is submitted.
    faults: [{ type: 'restart', downMs: 3_600_000, loseState: false, at: atMs(3_000) }],
    clientHints: { lockReleaseDelayMs: 1_000 },
    ...bounds,
    // The simulator keeps its hour-long restart timer after it closes, which would hold a
    // network-transport process open for the hour: memory only.
    transports: ['memory'],
  },
  {
    id: '6.12',
    name: 'lock-held-until-last-job-ends',
    purpose:
      'A window runs a short and a long job on server 1; after the short one ends, a job submitted while the long one still runs goes to server 1 too: the lock is held until the window\'s last job ends',
    servers: 2,
    jobs: [sleepJob('j1', 500, 5), sleepJob('j2', 5_000, 10, { submitAtMs: 50 }), sleepJob('j3', 500, 5, { submitAtMs: 3_000 })],
    clientHints: { lockReleaseDelayMs: 500 },
    ...bounds,
  },
  {
    id: '6.13',
    name: 'text-outputs',
    purpose:
      'Jobs whose output is text, not an image (PreviewAny), one fresh and one fully cached: each is completed once with its text; a client that keeps only images delivers nothing here, and only here',
    // The one scenario about text outputs: elsewhere jobs save images, so that an SDK that returns
    // only images is judged on its reliability, not on a kind of output it does not handle.
    jobs: [sleepJob('j1', 500, 5, { output: 'text' }), sleepJob('j2', 500, 5, { output: 'text', tag: 'j1', submitAtMs: 1_500 })],
    ...bounds,
  },
];
