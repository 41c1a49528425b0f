import { scenario, type Scenario, type ScenarioInput } from './scenario.ts';
import { failingGraph, sleepGraph, txt2imgGraph } from './graphs.ts';

/**
 * A first handful of named scenarios, one per fault family, for `comfy-chaos demo`. The full
 * numbered catalogue (issue 4) extends this list; ids follow its groups.
 */
const inputs: ScenarioInput[] = [
  {
    id: '0.1',
    name: 'happy-path',
    purpose: 'A fresh txt2img prompt and its cached rerun complete once each, with outputs from history',
    jobs: [
      { id: 'j1', prompt: txt2imgGraph({ steps: 8 }) },
      { id: 'j2', prompt: txt2imgGraph({ steps: 8 }), submitAtMs: 5_000 },
    ],
  },
  {
    id: '1.1',
    name: 'bom-garbage-and-heartbeats',
    purpose: 'A BOM, garbage before the JSON, a text heartbeat and a binary frame do not break the client',
    jobs: [{ id: 'j1', prompt: sleepGraph(2_000, 10) }],
    faults: [
      { type: 'bom', at: { on: 'message', type: 'execution_start' } },
      { type: 'garbage_prefix', at: { on: 'message', type: 'progress', occurrence: 2 } },
      { type: 'heartbeat', at: { on: 'message', type: 'progress', occurrence: 4 } },
      { type: 'binary_preview', at: { on: 'message', type: 'executed' } },
      { type: 'truncate', at: { on: 'message', type: 'execution_success' } },
    ],
  },
  {
    id: '2.3',
    name: 'terminate-between-executing-and-executed',
    purpose: 'The socket dies (1006) just before executed: the job completes exactly once via resync',
    jobs: [{ id: 'j1', prompt: sleepGraph(3_000, 10) }],
    faults: [{ type: 'terminate', at: { on: 'message', type: 'executed', prompt: 1 } }],
  },
  {
    id: '2.8',
    name: 'ten-minute-outage',
    purpose: 'Upgrades are refused for 10 minutes while the job finishes: completed after reconnect',
    jobs: [{ id: 'j1', prompt: sleepGraph(60_000, 20) }],
    faults: [
      { type: 'terminate', at: { on: 'message', type: 'progress', occurrence: 3 } },
      { type: 'refuse_upgrades', durationMs: 600_000, at: { on: 'message', type: 'progress', occurrence: 3, when: 'after' } },
    ],
    recoveryBoundMs: 60_000,
    maxRunMs: 1_200_000,
  },
  {
    id: '3.6',
    name: 'success-before-history',
    purpose: 'ComfyUI#11540: execution_success arrives before the history entry; completion waits for history',
    jobs: [{ id: 'j1', prompt: txt2imgGraph({ steps: 4 }) }],
    faults: [{ type: 'history_late', delayMs: 1_500, at: { on: 'time', afterMs: 0 } }],
  },
  {
    id: '5.1',
    name: 'restart-loses-the-job',
    purpose: 'The server restarts mid-job and loses queue and history: the job is reported lost, not completed',
    jobs: [{ id: 'j1', prompt: sleepGraph(5_000, 10) }],
    faults: [{ type: 'restart', downMs: 3_000, at: { on: 'message', type: 'progress', occurrence: 3 } }],
    expect: { j1: 'lost' },
  },
  {
    id: '5.3',
    name: 'deaf-same-clientid-reconnect',
    purpose: 'ComfyUI#16010: after a reconnect the socket is open but deaf; the client detects it and recovers',
    jobs: [{ id: 'j1', prompt: sleepGraph(20_000, 40) }],
    faults: [
      { type: 'deaf_reconnect', at: { on: 'time', afterMs: 0 } },
      { type: 'terminate', at: { on: 'message', type: 'progress', occurrence: 5 } },
    ],
  },
  {
    id: '6.2',
    name: 'error-and-interrupt-are-failures',
    purpose: 'An execution_error is reported as a failure, and the next job still completes',
    jobs: [
      { id: 'j1', prompt: failingGraph('out of memory') },
      { id: 'j2', prompt: sleepGraph(1_000, 5), submitAtMs: 100 },
    ],
    expect: { j1: 'failed' },
  },
];

export const demoCatalogue: Scenario[] = inputs.map((input) => scenario.parse(input));
