import type { ScenarioResult } from '../result.ts';

const marks: Record<ScenarioResult['verdict'], string> = { pass: 'pass', degraded: 'degr', fail: 'FAIL', skipped: 'skip' };

/**
 * Progress of a run: a live line on a terminal, plain lines in CI (design: "shows live progress on
 * a terminal, plain lines in CI"). Failures always print their findings and replay command.
 */
export class Progress {
  private done = 0;
  private readonly running = new Set<string>();
  private readonly live: boolean;

  constructor(private readonly out: NodeJS.WritableStream, private readonly total: number) {
    this.live = Boolean((out as NodeJS.WriteStream).isTTY) && !process.env.CI;
  }

  started(scenario: { id: string; name: string }, client: string): void {
    this.running.add(`${scenario.id}/${client}`);
    this.redraw();
  }

  finished(r: ScenarioResult): void {
    this.done++;
    this.running.delete(`${r.scenario.id}/${r.client}`);
    this.clearLine();
    const time = r.transport === 'memory' ? `${(r.runMs / 1000).toFixed(1)} s virtual, ${r.wallMs} ms` : `${(r.wallMs / 1000).toFixed(1)} s`;
    this.out.write(`${marks[r.verdict]}  ${r.scenario.id.padEnd(5)} ${r.scenario.name} [${r.client}] (${time})\n`);
    if (r.verdict === 'skipped' && r.reason) this.out.write(`      ${r.reason}\n`);
    if (r.verdict === 'fail' || r.verdict === 'degraded') {
      for (const f of r.findings) {
        this.out.write(`      ${f.informational ? 'info: ' : ''}${f.invariant}${f.job ? ` (job ${f.job})` : ''}: ${f.message}; trace lines ${f.evidence.join(', ')}\n`);
      }
      this.out.write(`      replay: ${r.replay}\n`);
    }
    this.redraw();
  }

  summary(results: readonly ScenarioResult[], reportDir: string): void {
    this.clearLine();
    const count = (v: ScenarioResult['verdict']) => results.filter((r) => r.verdict === v).length;
    this.out.write(
      `${count('pass')} passed, ${count('degraded')} degraded, ${count('fail')} failed, ${count('skipped')} skipped; report in ${reportDir}\n`,
    );
  }

  private clearLine(): void {
    if (this.live) this.out.write('\r\x1b[2K');
  }

  private redraw(): void {
    if (!this.live) return;
    this.clearLine();
    this.out.write(`[${this.done}/${this.total}] running ${[...this.running].slice(0, 4).join(', ')}`);
  }
}
