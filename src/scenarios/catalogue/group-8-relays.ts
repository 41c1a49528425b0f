import { failingGraph, txt2imgGraph } from '../graphs.ts';
import type { ScenarioInput } from '../scenario.ts';
import { atMs, onMessage, type JobInput } from './builders.ts';

/**
 * Group 8, relays (docs/relays.md): a backend between ComfyUI and the browsers, run with
 * `--relay <profile>`. The simulator is upstream, the harness submits as several users through the
 * relay and plays each user's browser. Jobs are txt2img graphs with one SaveImage (a relay turns its
 * `executed` into image URLs), each with its own seed so ComfyUI's cache never hides a run.
 * Faults are upstream (simulator, Toxiproxy) or downstream (`browsers`).
 */

let seed = 100;
/** A txt2img job of `steps` sampler steps (50 ms each) for `user`; the first of a run takes ~2.5 s (the checkpoint loads). */
function relayJob(id: string, user: string, submitAtMs: number, steps = 10): JobInput {
  return { id, window: user, submitAtMs, prompt: txt2imgGraph({ steps, seed: ++seed, prefix: `relay-${user}` }) };
}

function failingRelayJob(id: string, user: string, submitAtMs: number): JobInput {
  return { id, window: user, submitAtMs, prompt: failingGraph(`out of memory for ${user}`) };
}

/** A relay may take seconds to notice and recover; every run stays well under a minute. */
const bounds = { latencyBoundMs: 5_000, recoveryBoundMs: 10_000, maxRunMs: 45_000 } as const;
/** The reference relay's reference client notices a dead or deaf socket in 2 s here. */
const hints = { healthTimeoutMs: 2_000, pollIntervalMs: 1_000, requestTimeoutMs: 3_000 } as const;

export const group8Relays: ScenarioInput[] = [
  {
    id: '8.1',
    name: 'relay-three-users',
    purpose: 'Three users, one job each and a failing one: every result reaches its own user exactly once, nobody sees another user\'s job, the failure is refunded once',
    jobs: [relayJob('alice-1', 'alice', 0), relayJob('bob-1', 'bob', 200), relayJob('carol-1', 'carol', 400), failingRelayJob('bob-2', 'bob', 600)],
    expect: { 'bob-2': 'failed' },
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.2',
    name: 'relay-upstream-drop',
    purpose: 'The relay\'s upstream socket dies (1006) between two jobs: the relay connects again and the second job still reaches its user',
    jobs: [relayJob('alice-1', 'alice', 0, 6), relayJob('bob-1', 'bob', 5_000, 6)],
    faults: [{ type: 'terminate', at: atMs(4_000) }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.3',
    name: 'relay-upstream-drop-mid-job',
    purpose: 'The upstream socket dies in the middle of a job\'s progress: the result is still delivered, once, to its owner',
    jobs: [relayJob('alice-1', 'alice', 0, 20)],
    faults: [{ type: 'terminate', at: onMessage('progress', { prompt: 1, occurrence: 5 }) }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.4',
    name: 'relay-lost-status',
    purpose: 'Every status frame after the first job is lost: a relay that waits for queue_remaining == 0 before the next submission must not stall for ever',
    jobs: [relayJob('alice-1', 'alice', 0, 4), relayJob('bob-1', 'bob', 1_500, 4), relayJob('carol-1', 'carol', 3_000, 4), relayJob('alice-2', 'alice', 4_500, 4)],
    faults: Array.from({ length: 12 }, (_, i) => ({ type: 'drop' as const, at: onMessage('status', { occurrence: i + 2 }), label: `lost status #${i + 2}` })),
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.5',
    name: 'relay-lost-executed',
    purpose: 'The executed frame of the first job is lost: the relay must still deliver its images (from /history), not leave the user waiting',
    jobs: [relayJob('alice-1', 'alice', 0, 6), relayJob('bob-1', 'bob', 300, 6)],
    faults: [{ type: 'drop', at: onMessage('executed', { prompt: 1 }) }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.6',
    name: 'relay-server-restart',
    purpose: 'ComfyUI restarts between two jobs (queue and history lost): the relay connects to the new server and the next job is delivered',
    jobs: [relayJob('alice-1', 'alice', 0, 6), relayJob('bob-1', 'bob', 6_000, 6)],
    faults: [{ type: 'restart', at: atMs(4_000), downMs: 1_000 }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.7',
    name: 'relay-upstream-half-open',
    purpose: 'The upstream socket goes silent for good while still open (half-open): the relay notices, connects again and delivers the job',
    jobs: [relayJob('alice-1', 'alice', 0, 10)],
    faults: [{ type: 'silence', at: onMessage('progress', { prompt: 1, occurrence: 2 }), durationMs: 0 }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.8',
    name: 'relay-user-offline-mid-job',
    purpose: 'A user\'s browser goes away mid-job and comes back after the job ended: the result still reaches that user when it reconnects',
    jobs: [relayJob('alice-1', 'alice', 0, 20), relayJob('bob-1', 'bob', 100, 6)],
    browsers: [{ atMs: 400, user: 'alice', action: 'offline', forMs: 8_000 }],
    clientHints: hints,
    ...bounds,
    // The result can only reach alice when she is back, up to ~6 s after the job ended.
    latencyBoundMs: 12_000,
  },
  {
    id: '8.9',
    name: 'relay-user-reload',
    purpose: 'A user reloads the page mid-job (a new connection, same user): the result reaches the reloaded page once',
    jobs: [relayJob('alice-1', 'alice', 0, 20)],
    browsers: [{ atMs: 300, user: 'alice', action: 'reload', forMs: 300 }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.10',
    name: 'relay-browser-drop',
    purpose: 'A user\'s browser socket dies (no close frame) mid-job and its protocol client reconnects: the result is delivered once',
    jobs: [relayJob('alice-1', 'alice', 0, 20)],
    browsers: [{ atMs: 500, user: 'alice', action: 'drop' }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.11',
    name: 'relay-slow-browser',
    purpose: 'One user\'s browser link is slow (1.5 s each way, Toxiproxy) while another\'s is fine: both get their own result, once',
    jobs: [relayJob('alice-1', 'alice', 0, 10), relayJob('bob-1', 'bob', 100, 10)],
    browsers: [{ atMs: 0, user: 'alice', action: 'slow', latencyMs: 1_500, forMs: 6_000 }],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.13',
    name: 'relay-deaf-reconnect',
    purpose: 'The upstream socket dies and the relay\'s reconnect lands on a deaf socket (ComfyUI#16010): the relay notices the silence, connects again and delivers the next job',
    cites: 'Comfy-Org/ComfyUI#16010',
    jobs: [relayJob('alice-1', 'alice', 0, 6), relayJob('bob-1', 'bob', 5_000, 6)],
    faults: [
      { type: 'deaf_reconnect', at: atMs(3_900) },
      { type: 'terminate', at: atMs(4_000) },
    ],
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.14',
    name: 'relay-error-unseen',
    purpose: 'The upstream socket dies just before a job\'s execution_error: the user still learns it failed, and is refunded exactly once',
    jobs: [relayJob('alice-1', 'alice', 0, 6), failingRelayJob('bob-1', 'bob', 200)],
    faults: [{ type: 'terminate', at: onMessage('execution_error') }],
    expect: { 'bob-1': 'failed' },
    clientHints: hints,
    ...bounds,
  },
  {
    id: '8.12',
    name: 'relay-upstream-partition',
    purpose: 'The network between relay and ComfyUI is cut for 3 s while a job runs (Toxiproxy): the relay reconnects and the job is delivered',
    jobs: [relayJob('alice-1', 'alice', 0, 40)],
    faults: [{ type: 'partition', at: atMs(600), durationMs: 3_000 }],
    clientHints: hints,
    ...bounds,
  },
];
