import type { ScenarioInput } from '../scenario.ts';
import { onMessage, onPrompt, quick, sleepJob } from './builders.ts';

/**
 * Group 1, frame parsing: what arrives on the socket is not always one clean JSON message.
 * ComfyUI itself only sends JSON text and binary previews, but proxies, custom nodes and relays
 * add prefixes, heartbeats, cut frames and unknown types; a client must read past all of them
 * and still report each job exactly once. A sleep job of 800 ms in 8 steps (one frame pair
 * every 100 ms) gives the faults something to hit.
 */
const job = () => sleepJob('j1', 800, 8);

export const group1Frames: ScenarioInput[] = [
  {
    id: '1.1',
    name: 'bom-garbage-and-heartbeats',
    purpose: 'A BOM, garbage before the JSON, a text heartbeat, a binary frame and a cut execution_success do not break the client',
    jobs: [job()],
    faults: [
      { type: 'bom', at: onMessage('execution_start') },
      { type: 'garbage_prefix', at: onMessage('progress', { occurrence: 2 }) },
      { type: 'heartbeat', at: onMessage('progress', { occurrence: 4 }) },
      { type: 'binary_preview', at: onMessage('executed') },
      { type: 'truncate', at: onMessage('execution_success') },
    ],
    ...quick,
  },
  {
    id: '1.2',
    name: 'bom-on-every-frame',
    purpose: 'Every frame of the job starts with a UTF-8 BOM (a re-encoding proxy): all of them are still read',
    jobs: [job()],
    faults: [{ type: 'bom', frames: 60, at: onPrompt('started') }],
    ...quick,
  },
  {
    id: '1.3',
    name: 'garbage-prefix-on-terminal-frames',
    purpose: 'execution_success, the final status and executing{null} carry bytes before the "{": the end of the job is still seen',
    jobs: [job()],
    faults: [{ type: 'garbage_prefix', frames: 3, garbage: '\u0000xx', at: onMessage('execution_success') }],
    ...quick,
  },
  {
    id: '1.4',
    name: 'text-heartbeats',
    purpose: 'Bare "ping", "pong" and "heartbeat" text frames (a relay keep-alive) between messages are ignored',
    jobs: [job()],
    faults: [
      { type: 'heartbeat', text: 'ping', at: onMessage('execution_start') },
      { type: 'heartbeat', text: 'pong', frames: 4, at: onMessage('progress', { occurrence: 3 }) },
      { type: 'heartbeat', text: 'heartbeat', at: onMessage('execution_success') },
    ],
    ...quick,
  },
  {
    id: '1.5',
    name: 'truncated-execution-success',
    purpose: 'execution_success is cut in half: the client does not choke and finishes on executing{null} and history',
    jobs: [job()],
    faults: [{ type: 'truncate', keepRatio: 0.5, at: onMessage('execution_success') }],
    ...quick,
  },
  {
    id: '1.6',
    name: 'non-json-frames',
    purpose: 'An HTML error page and other non-JSON text frames arrive mid-job: skipped, the job completes',
    jobs: [job()],
    faults: [
      { type: 'non_json', at: onMessage('execution_start') },
      { type: 'non_json', text: 'undefined', at: onMessage('progress', { occurrence: 4 }) },
      { type: 'non_json', text: '{"type": ', at: onMessage('executed') },
    ],
    ...quick,
  },
  {
    id: '1.7',
    name: 'unknown-message-types',
    purpose: 'crystools.monitor broadcasts before every frame, plus display_component and notification messages, are ignored',
    jobs: [job()],
    faults: [
      { type: 'unknown_type', frames: 60, at: onPrompt('started') },
      { type: 'unknown_type', messageType: 'display_component', at: onMessage('executed') },
      { type: 'unknown_type', messageType: 'notification', at: onMessage('execution_success') },
    ],
    ...quick,
  },
  {
    id: '1.8',
    name: 'binary-previews',
    purpose: 'Binary type-1 preview frames around every step and before the end are not decoded as text and do not end the job',
    jobs: [job()],
    faults: [
      { type: 'binary_preview', frames: 16, at: onMessage('progress') },
      { type: 'binary_preview', at: onMessage('execution_success') },
    ],
    ...quick,
  },
  {
    id: '1.9',
    name: 'oversized-frame',
    purpose: 'A 5 MiB text frame (over aiohttp\'s 4 MiB default) arrives before executed: the socket survives and the job completes',
    jobs: [job()],
    faults: [{ type: 'oversized', bytes: 5 * 1024 * 1024, at: onMessage('executed') }],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 20_000,
  },
  {
    id: '1.10',
    name: 'duplicated-terminal-frames',
    purpose: 'executed, execution_success, the final status and executing{null} each arrive twice: the job is reported once',
    jobs: [job()],
    faults: [
      { type: 'duplicate', at: onMessage('executed') },
      { type: 'duplicate', frames: 3, at: onMessage('execution_success') },
    ],
    ...quick,
  },
  {
    id: '1.11',
    name: 'dropped-execution-success',
    purpose: 'execution_success never arrives: executing{null} and history still complete the job',
    jobs: [job()],
    faults: [{ type: 'drop', at: onMessage('execution_success') }],
    ...quick,
  },
  {
    id: '1.12',
    name: 'reordered-frames',
    purpose: 'executed comes after its node finished, execution_success after the final status, a progress late: same single completion',
    jobs: [job()],
    faults: [
      { type: 'reorder', at: onMessage('progress', { occurrence: 3 }) },
      { type: 'reorder', at: onMessage('executed') },
      { type: 'reorder', at: onMessage('execution_success') },
    ],
    ...quick,
  },
  {
    id: '1.13',
    name: 'extra-fields',
    purpose: 'Every message carries fields a newer server might add: ignored, nothing rejected',
    jobs: [job()],
    faults: [{ type: 'extra_fields', frames: 60, at: onPrompt('started') }],
    ...quick,
  },
  {
    id: '1.14',
    name: 'end-frames-lost-on-a-live-socket',
    purpose:
      'executed, execution_success, the final status and executing{null} are lost while the socket stays open and is not yet deaf: the last HTTP check before the job timeout finds the job finished, so it is completed, not timed out',
    jobs: [job()],
    faults: [
      { type: 'drop', at: onMessage('executed') },
      { type: 'drop', frames: 3, at: onMessage('execution_success') },
    ],
    // The timeout (8 s) comes before the socket could look deaf (30 s): only the check 5 s before the timeout can see the end.
    clientHints: { jobTimeoutMs: 8_000, healthTimeoutMs: 30_000 },
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 20_000,
  },
];
