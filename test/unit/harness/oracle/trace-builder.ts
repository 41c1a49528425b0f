/** Small synthetic traces for the oracle's tests: each call appends one event and returns it. */
import type { TraceEvent } from '../../../../src/protocol/index.ts';
import { scenario, type ScenarioInput } from '../../../../src/scenarios/scenario.ts';
import { sleepGraph } from '../../../../src/scenarios/graphs.ts';

export const outputsX = { '2': { text: ['x'] } };

/** A scenario with jobs `ids` (window `main`), parsed so defaults apply. */
export function scenarioWith(overrides: Partial<ScenarioInput> = {}, ids: string[] = ['j1']) {
  return scenario.parse({
    id: '9.1',
    name: 'synthetic',
    purpose: 'oracle test',
    jobs: ids.map((id) => ({ id, prompt: sleepGraph(10, 1) })),
    ...overrides,
  });
}

export class TraceBuilder {
  readonly events: TraceEvent[] = [];
  private seq = 0;
  private now = 0;

  /** Sets the run clock for the next events (ms). */
  at(t: number): this {
    this.now = t;
    return this;
  }

  add(e: Record<string, unknown>): TraceEvent {
    const event = { seq: this.seq++, t: this.now, wall: 0, ...e } as TraceEvent;
    this.events.push(event);
    this.now += 10;
    return event;
  }

  client(event: Record<string, unknown>) {
    return this.add({ kind: 'client', client: 'c', event });
  }
  submit(id: string, extra: Record<string, unknown> = {}) {
    return this.client({ type: 'harness_submit', id, window: 'main', ...extra });
  }
  submitted(id: string, promptId: string, extra: Record<string, unknown> = {}) {
    return this.client({ type: 'submitted', id, prompt_id: promptId, ...extra });
  }
  completed(id: string, promptId: string, outputs: unknown = outputsX, extra: Record<string, unknown> = {}) {
    return this.client({ type: 'completed', id, prompt_id: promptId, outputs, ...extra });
  }
  failed(id: string, reason: string, extra: Record<string, unknown> = {}) {
    return this.client({ type: 'failed', id, reason, ...extra });
  }
  progress(id: string, value: number, max = 10, node = '1', extra: Record<string, unknown> = {}) {
    return this.client({ type: 'progress', id, value, max, node, ...extra });
  }
  prompt(event: string, promptId: string, extra: Record<string, unknown> = {}) {
    return this.add({ kind: 'prompt', event, promptId, ...extra });
  }
  queued(promptId: string, clientId: string | null = 'c1') {
    return this.prompt('queued', promptId, { number: 0, clientId });
  }
  success(promptId: string, outputs: Record<string, unknown> = outputsX) {
    return this.prompt('success', promptId, { outputs });
  }
  connect(conn: number, clientId: string | null = 'c1') {
    return this.add({ kind: 'ws_connect', conn, clientId, sid: `sid${conn}` });
  }
  close(conn: number, code = 1006) {
    return this.add({ kind: 'ws_close', conn, code, by: 'server' });
  }
  http(method: string, path: string, status: number, response?: unknown) {
    return this.add({ kind: 'http', method, path, query: '', status, ...(response === undefined ? {} : { response: JSON.stringify(response) }) });
  }
  note(message: string) {
    return this.add({ kind: 'note', message });
  }

  /** submit, submitted, queued, success and completed: one job that went right. */
  happyJob(id: string, promptId: string, window = 'main') {
    const submit = this.submit(id, { window });
    const submitted = this.submitted(id, promptId, { window });
    const queued = this.queued(promptId, `client-${window}`);
    const success = this.success(promptId);
    const completed = this.completed(id, promptId, outputsX, { window });
    return { submit, submitted, queued, success, completed };
  }
}
