import { describe, expect, it } from 'vitest';
import { referenceClient } from '../../../src/harness/adapters/reference-adapter.ts';
import { runScenario } from '../../../src/harness/runner.ts';
import type { TraceEvent } from '../../../src/protocol/index.ts';
import { sleepGraph } from '../../../src/scenarios/graphs.ts';
import { scenario as scenarioSchema, type ScenarioInput } from '../../../src/scenarios/scenario.ts';

/** A real workflow's node the simulator does not know: only a recording can make it run. */
const customPrompt = { '5': { class_type: 'MyCustomUpscaler', inputs: { scale: 2 } } };
const recordedId = '11111111-2222-3333-4444-555555555555';

const failingScript: NonNullable<ScenarioInput['script']>[number] = {
  promptId: recordedId,
  outcome: 'error',
  frames: [
    { atMs: 0, message: { type: 'execution_start', data: { prompt_id: recordedId, timestamp: 1 } } },
    { atMs: 0, message: { type: 'execution_cached', data: { nodes: [], prompt_id: recordedId, timestamp: 1 } } },
    { atMs: 5, message: { type: 'executing', data: { node: '5', display_node: '5', prompt_id: recordedId } } },
    { atMs: 400, message: { type: 'execution_error', data: { prompt_id: recordedId, node_id: '5', node_type: 'MyCustomUpscaler', executed: [], exception_message: 'CUDA out of memory', exception_type: 'torch.OutOfMemoryError', traceback: [], current_inputs: {}, current_outputs: [], timestamp: 2 } } },
  ],
};

const base: ScenarioInput = {
  id: '9.2',
  name: 'scripted-failure-then-engine',
  purpose: 'a recorded failure of a custom node, then a job the recording does not cover',
  jobs: [
    { id: 'j1', prompt: customPrompt },
    { id: 'j2', prompt: sleepGraph(300, 3, 'after'), submitAtMs: 50 },
  ],
  expect: { j1: 'failed' },
  latencyBoundMs: 5_000,
  recoveryBoundMs: 5_000,
  maxRunMs: 30_000,
  script: [failingScript],
};

const prompts = (trace: readonly TraceEvent[]) => trace.filter((e): e is Extract<TraceEvent, { kind: 'prompt' }> => e.kind === 'prompt');

describe('scripted mode of the simulator (virtual time)', () => {
  it('accepts a recorded prompt the catalogue does not know, plays its failure, and runs later prompts on the engine', async () => {
    const result = await runScenario(scenarioSchema.parse(base), referenceClient(), { transport: 'memory', seed: 1, replay: 'test' });
    expect(result.verdict, JSON.stringify(result.findings)).toBe('pass');
    const [first, second] = prompts(result.trace).filter((e) => e.event === 'queued');
    expect(prompts(result.trace).filter((e) => e.promptId === first!.promptId).map((e) => e.event)).toEqual(['queued', 'started', 'error', 'history_written']);
    expect(prompts(result.trace).filter((e) => e.promptId === second!.promptId).map((e) => e.event)).toEqual(['queued', 'started', 'success', 'history_written']);
    const error = result.trace.find((e) => e.kind === 'ws_send' && e.msgType === 'execution_error') as Extract<TraceEvent, { kind: 'ws_send' }>;
    expect(error.promptId).toBe(first!.promptId);
    const start = result.trace.find((e) => e.kind === 'ws_send' && e.msgType === 'execution_start' && e.promptId === first!.promptId)!;
    expect(error.t - start.t).toBe(400);
    const failed = result.trace.find((e) => e.kind === 'client' && (e.event as { type?: string }).type === 'failed');
    expect(failed).toMatchObject({ event: { id: 'j1', reason: 'error', error: expect.stringContaining('CUDA out of memory') } });
  });

  it('a fault added to a scripted prompt fires on the recorded frames (before execution_error of prompt 1)', async () => {
    const withFault = scenarioSchema.parse({ ...base, faults: [{ type: 'terminate', at: { on: 'message', type: 'execution_error', prompt: 1 } }] });
    const result = await runScenario(withFault, referenceClient(), { transport: 'memory', seed: 1, replay: 'test' });
    expect(result.verdict, JSON.stringify(result.findings)).toBe('pass');
    expect(result.trace.some((e) => e.kind === 'fault' && e.faultType === 'terminate')).toBe(true);
  });

  it('an interrupt between two recorded frames ends the prompt as ComfyUI would', async () => {
    const interrupted = scenarioSchema.parse({
      ...base,
      jobs: [{ id: 'j1', prompt: customPrompt, cancelAtMs: 200 }],
      expect: { j1: 'interrupted' },
    });
    const result = await runScenario(interrupted, referenceClient(), { transport: 'memory', seed: 1, replay: 'test' });
    expect(result.verdict, JSON.stringify(result.findings)).toBe('pass');
    expect(prompts(result.trace).map((e) => e.event)).toEqual(['queued', 'started', 'interrupted', 'history_written']);
    expect(result.trace.some((e) => e.kind === 'ws_send' && e.msgType === 'execution_error')).toBe(false);
  });
});
