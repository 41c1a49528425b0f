import { txt2imgGraph } from '../graphs.ts';
import type { ScenarioInput } from '../scenario.ts';
import { atMs, onMessage, onPrompt, sleepJob } from './builders.ts';

/**
 * Group 3, HTTP faults. The socket says a job ended; `/history/{id}` is the only reliable source
 * of its outputs, and `POST /prompt` is the only way in. Both can fail, be slow, hang, or (ComfyUI#11540)
 * answer before the entry exists. Faults are in force from the start and consumed request by request.
 *
 * `history_late` is ComfyUI#11540 as the real server has it: `execution_success` goes out, the
 * prompt stays in `/queue`'s `queue_running` until history is written, and only then come the final
 * `status` and `executing {node: null}`. `history_replica_lag` (3.12) is not ComfyUI: a lagging
 * read replica behind a load balancer, where a finished prompt is for a while in neither.
 */
const job = () => sleepJob('j1', 800, 8);

export const group3Http: ScenarioInput[] = [
  {
    id: '3.1',
    name: 'history-5xx',
    purpose: 'The first four reads of /history/{id} answer 500: the client retries and completes with the right outputs',
    jobs: [job()],
    faults: [{ type: 'http_status', path: '/history/*', status: 500, times: 4, at: atMs(0) }],
    latencyBoundMs: 3_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 20_000,
  },
  {
    id: '3.2',
    name: 'history-slow',
    purpose: 'The first two reads of /history/{id} take 1.5 s each: still completed once, only later',
    jobs: [job()],
    faults: [{ type: 'http_delay', path: '/history/*', delayMs: 1_500, times: 2, at: atMs(0) }],
    latencyBoundMs: 4_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 20_000,
  },
  {
    id: '3.3',
    name: 'history-hang',
    purpose: 'The first read of /history/{id} is never answered: the client times the request out and reads again',
    jobs: [job()],
    faults: [{ type: 'http_hang', path: '/history/*', times: 1, at: atMs(0) }],
    // With the hint the read is retried after 2 s (pass); a client that keeps its default 10 s
    // request timeout is correct but slow (`degraded`), hence the wider recovery bound.
    clientHints: { requestTimeoutMs: 2_000 },
    latencyBoundMs: 4_000,
    recoveryBoundMs: 15_000,
    maxRunMs: 30_000,
  },
  {
    id: '3.4',
    name: 'prompt-5xx-retried',
    purpose: 'POST /prompt answers 500 once (the prompt was not queued): the client checks, posts again and the job completes',
    jobs: [job()],
    faults: [{ type: 'http_status', path: '/prompt', status: 500, times: 1, at: atMs(0) }],
    latencyBoundMs: 2_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 20_000,
  },
  {
    id: '3.5',
    name: 'prompt-429-retried',
    purpose: 'POST /prompt answers 429 twice (a rate-limiting gateway): the client backs off, posts again and completes',
    jobs: [job()],
    faults: [{ type: 'http_status', path: '/prompt', status: 429, times: 2, at: atMs(0) }],
    latencyBoundMs: 2_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 20_000,
  },
  {
    id: '3.6',
    name: 'success-before-history',
    purpose:
      'ComfyUI#11540: execution_success arrives 1.5 s before the history entry exists (the prompt is still running in /queue; the final status and executing{null} come once history is written): a client that reads /history on execution_success must wait for it',
    jobs: [{ id: 'j1', prompt: txt2imgGraph({ steps: 4 }) }],
    faults: [{ type: 'history_late', delayMs: 1_500, at: atMs(0) }],
    // Latency counts from execution_success, and the result exists only 1.5 s later: the bound
    // leaves a client that polls every 3 s (comfyapi) its one poll after that.
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 20_000,
  },
  {
    id: '3.7',
    name: 'prompt-hang',
    purpose: 'The first POST /prompt is never answered (and never queued): the client times out, finds nothing, posts again once',
    jobs: [job()],
    faults: [{ type: 'http_hang', path: '/prompt', times: 1, at: atMs(0) }],
    clientHints: { requestTimeoutMs: 2_000 },
    latencyBoundMs: 2_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '3.8',
    name: 'prompt-5xx-persistent',
    purpose: 'POST /prompt answers 503 every time: the job is reported failed in bounded time, never left pending',
    jobs: [job()],
    faults: [{ type: 'http_status', path: '/prompt', status: 503, times: 20, at: atMs(0) }],
    expect: { j1: 'failed' },
    latencyBoundMs: 2_000,
    recoveryBoundMs: 10_000,
    maxRunMs: 30_000,
  },
  {
    id: '3.9',
    name: 'queue-5xx-while-polling',
    purpose: 'While the socket is refused, GET /queue answers 500 three times: polling survives the errors and completes the job',
    jobs: [sleepJob('j1', 1_000, 10)],
    faults: [
      { type: 'terminate', at: onMessage('progress', { occurrence: 3 }) },
      { type: 'refuse_upgrades', durationMs: 4_000, at: onMessage('progress', { occurrence: 3, when: 'after' }) },
      { type: 'http_status', path: '/queue', status: 500, times: 3, at: onMessage('progress', { occurrence: 3, when: 'after' }) },
    ],
    latencyBoundMs: 5_000,
    recoveryBoundMs: 5_000,
    maxRunMs: 30_000,
  },
  {
    id: '3.10',
    name: 'history-very-late',
    purpose:
      'ComfyUI#11540 at its worst: history is written 6 s after execution_success, the prompt running in /queue meanwhile; completed once, with the outputs history has',
    jobs: [job()],
    faults: [{ type: 'history_late', delayMs: 6_000, at: atMs(0) }],
    // The result exists 6 s after execution_success; then one 3 s poll.
    latencyBoundMs: 9_500,
    recoveryBoundMs: 10_000,
    maxRunMs: 30_000,
  },
  {
    id: '3.11',
    name: 'history-late-and-success-unseen',
    purpose:
      'ComfyUI#11540 unseen: history is written 1.5 s late and the socket dies just before execution_success; the resync finds the prompt still running in /queue, and the job is completed once history exists',
    jobs: [job()],
    faults: [
      { type: 'history_late', delayMs: 1_500, at: atMs(0) },
      // A phase of the job, not a frame: fires for a client without client_id too.
      { type: 'terminate', at: onPrompt('finished') },
    ],
    latencyBoundMs: 5_000, // the result exists 1.5 s after execution_success, then one 3 s poll
    recoveryBoundMs: 6_000,
    maxRunMs: 30_000,
  },
  {
    id: '3.12',
    name: 'history-replica-lag',
    purpose:
      'Not ComfyUI (#11540 is 3.6): behind a load balancer, /history is read from a replica 1.5 s behind and the socket dies as the job ends; the prompt leaves /queue, is in neither for a moment, and must not be called lost on checks milliseconds apart',
    jobs: [job()],
    faults: [
      { type: 'history_replica_lag', delayMs: 1_500, at: atMs(0) },
      { type: 'terminate', at: onPrompt('finished') },
    ],
    latencyBoundMs: 5_000, // the result exists 1.5 s after execution_success, then one 3 s poll
    recoveryBoundMs: 6_000,
    maxRunMs: 30_000,
  },
];
