/** Synthetic relay-run traces: the trace-builder's events plus what src/harness/relay records. */
import type { Scenario } from '../../../../src/scenarios/scenario.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const sleep = { '1': { class_type: 'SimSleep', inputs: {} } };

/** A relay scenario (group 8) whose jobs belong to users: `{ a1: 'alice', b1: 'bob' }`. */
export function relayScenario(owners: Record<string, string> = { a1: 'alice', b1: 'bob' }, overrides: Parameters<typeof scenarioWith>[0] = {}): Scenario {
  return scenarioWith({ id: '8.1', jobs: Object.entries(owners).map(([id, window]) => ({ id, window, prompt: sleep })), ...overrides });
}

export class RelayTraceBuilder extends TraceBuilder {
  /** As the relay client writes it when the relay is up. */
  relayStart(refunds = true, relay = 'spring-stomp') {
    return this.client({ type: 'relay_start', relay, refunds, downstream: 'stomp', port: 40001 });
  }
  /** A call of the refund hook (`REFUND_URL`). */
  refund(user: string | undefined, promptId: string | undefined) {
    return this.client({ type: 'refund', ...(user === undefined ? {} : { user }), ...(promptId === undefined ? {} : { prompt_id: promptId }) });
  }
  submitFailed(id: string, user: string, message?: string) {
    return this.client({ type: 'submit_failed', id, user, ...(message === undefined ? {} : { message }) });
  }
  shutdown() {
    return this.client({ type: 'harness_shutdown' });
  }
  fault(faultType: string, fault: string) {
    return this.add({ kind: 'fault', fault, faultType, detail: 'time' });
  }
  /** submit, submitted, queued, error and a failed report: one job the server failed. */
  failedJob(id: string, promptId: string, user: string) {
    const submit = this.submit(id, { window: user });
    const submitted = this.submitted(id, promptId, { window: user });
    const queued = this.queued(promptId, 'relay-upstream');
    const error = this.prompt('error', promptId);
    const failed = this.failed(id, 'error', { window: user, prompt_id: promptId });
    return { submit, submitted, queued, error, failed };
  }
}
