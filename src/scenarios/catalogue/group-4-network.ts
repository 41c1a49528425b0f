import type { ScenarioInput } from '../scenario.ts';
import { atMs, onMessage, sleepJob } from './builders.ts';

/**
 * Group 4, the network between client and server, through a real Toxiproxy (network transport
 * only). Each scenario is written to mean what it says given Toxiproxy's semantics:
 * - toxicity is decided once per connection, not per message: a long-lived socket is either
 *   always or never affected, so every toxic here has toxicity 1;
 * - `reset_peer` acts only when data flows through it: it is added downstream while progress
 *   frames are flowing, and removed shortly after so the reconnect is not reset too;
 * - removing a `timeout` toxic closes the connections it held: a black hole ends with a drop;
 * - disabling the proxy (`partition`) drops live connections as well as refusing new ones;
 * - the proxy carries both the socket and HTTP, so a toxic hits both.
 * Jobs run 1-1.5 s with a frame pair every 100 ms.
 */
const job = () => sleepJob('j1', 1_000, 10);

export const group4Network: ScenarioInput[] = [
  {
    id: '4.1',
    name: 'latency-downstream',
    purpose: '300 ms of latency on every server-to-client byte for the whole run: completed once, late but within bounds',
    jobs: [job()],
    faults: [{ type: 'toxic', toxic: 'latency', stream: 'downstream', attributes: { latency: 300, jitter: 0 }, at: atMs(0) }],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.2',
    name: 'latency-with-jitter',
    purpose: '100 ± 100 ms of latency both ways: HTTP replies and socket frames interleave differently, still one completion',
    jobs: [job()],
    faults: [
      { type: 'toxic', toxic: 'latency', stream: 'downstream', attributes: { latency: 100, jitter: 100 }, at: atMs(0) },
      { type: 'toxic', toxic: 'latency', stream: 'upstream', attributes: { latency: 100, jitter: 100 }, at: atMs(0) },
    ],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.3',
    name: 'bandwidth-limited',
    purpose: 'Downstream throttled to 4 KB/s (below the frame rate of the job): frames queue up, nothing is lost',
    jobs: [job()],
    faults: [{ type: 'toxic', toxic: 'bandwidth', stream: 'downstream', attributes: { rate: 4 }, at: atMs(0) }],
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.4',
    name: 'slicer-both-ways',
    purpose: 'Every byte stream is cut into 16-48 byte TCP segments both ways: frames and HTTP bodies are reassembled',
    jobs: [job()],
    faults: [
      { type: 'toxic', toxic: 'slicer', stream: 'downstream', attributes: { average_size: 32, size_variation: 16, delay: 200 }, at: atMs(0) },
      { type: 'toxic', toxic: 'slicer', stream: 'upstream', attributes: { average_size: 32, size_variation: 16, delay: 200 }, at: atMs(0) },
    ],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.5',
    name: 'reset-peer-mid-progress',
    purpose: 'A TCP reset hits the socket on the next progress frame (reset_peer downstream for 300 ms): reconnect, resync, completed',
    jobs: [job()],
    faults: [
      {
        type: 'toxic',
        toxic: 'reset_peer',
        stream: 'downstream',
        attributes: { timeout: 0 },
        durationMs: 300,
        at: onMessage('progress', { occurrence: 3, when: 'after' }),
      },
    ],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.6',
    name: 'black-hole-downstream',
    purpose: 'Server-to-client bytes vanish for 2.5 s (timeout toxic, 0 = hold) while the job ends; removing it drops the socket: completed after',
    jobs: [job()],
    faults: [
      {
        type: 'toxic',
        toxic: 'timeout',
        stream: 'downstream',
        attributes: { timeout: 0 },
        durationMs: 2_500,
        at: onMessage('progress', { occurrence: 3, when: 'after' }),
      },
    ],
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.7',
    name: 'black-hole-upstream',
    purpose: 'Client-to-server bytes vanish for 2 s: frames still arrive but the history read hangs until the toxic goes; completed once',
    jobs: [job()],
    faults: [
      {
        type: 'toxic',
        toxic: 'timeout',
        stream: 'upstream',
        attributes: { timeout: 0 },
        durationMs: 2_000,
        at: onMessage('progress', { occurrence: 6, when: 'after' }),
      },
    ],
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.8',
    name: 'black-hole-closes',
    purpose: 'A timeout toxic of 800 ms: every connection goes silent and is closed after 0.8 s, for 2 s; the client recovers after',
    jobs: [sleepJob('j1', 1_500, 15)],
    faults: [
      {
        type: 'toxic',
        toxic: 'timeout',
        stream: 'downstream',
        attributes: { timeout: 800 },
        durationMs: 2_000,
        at: onMessage('progress', { occurrence: 3, when: 'after' }),
      },
    ],
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.9',
    name: 'partition-mid-progress',
    purpose: 'The proxy is disabled for 2 s mid-job (live connections drop, new ones are refused): completed after it heals',
    jobs: [job()],
    faults: [{ type: 'partition', durationMs: 2_000, at: onMessage('progress', { occurrence: 3, when: 'after' }) }],
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.10',
    name: 'partition-eats-post-reply',
    purpose: 'The network partitions while POST /prompt is in flight (slowed 300 ms): the prompt is queued but the reply lost; completed once',
    jobs: [job()],
    faults: [
      // The delay keeps the request inside the server until the proxy is disabled, so the reply
      // is lost for certain, not by a race with the Toxiproxy API call.
      { type: 'http_delay', path: '/prompt', delayMs: 300, times: 1, at: atMs(0) },
      { type: 'partition', durationMs: 1_500, at: { on: 'request', path: '/prompt', method: 'POST' } },
    ],
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.11',
    name: 'slow-close',
    purpose: 'The server closes the socket (1001) but the TCP close reaches the client 1.5 s late (slow_close): it still reconnects and completes',
    jobs: [sleepJob('j1', 1_500, 15)],
    faults: [
      { type: 'toxic', toxic: 'slow_close', stream: 'downstream', attributes: { delay: 1_500 }, at: atMs(0) },
      { type: 'close', code: 1001, reason: 'going away', at: onMessage('progress', { occurrence: 3 }) },
    ],
    latencyBoundMs: 4_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '4.12',
    name: 'limit-data-cuts-socket',
    purpose: 'For 600 ms every connection is cut after 2 KB (limit_data), mid-frame: the client reconnects past the cut and completes',
    jobs: [sleepJob('j1', 1_500, 15)],
    faults: [
      {
        type: 'toxic',
        toxic: 'limit_data',
        stream: 'downstream',
        attributes: { bytes: 2_048 },
        durationMs: 600,
        at: onMessage('progress', { occurrence: 2, when: 'after' }),
      },
    ],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
];
