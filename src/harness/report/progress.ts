import type { ScenarioResult, Verdict } from '../result.ts';
import { columnOf, describeFinding, verdictNote } from './format.ts';

/** Four characters each; capitals need attention. */
const marks: Record<Verdict, string> = { pass: 'pass', degraded: 'degr', 'non-strict': 'nstr', fail: 'FAIL', inconclusive: 'INCO', skipped: 'skip', 'harness-error': 'HERR' };

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
    this.out.write(`${marks[r.verdict]}  ${r.scenario.id.padEnd(5)} ${r.scenario.name} [${columnOf(r)}] (${time})\n`);
    const note = verdictNote(r);
    if (note) this.out.write(`${note.replace(/^/gm, '      ')}\n`);
    if (r.verdict !== 'pass' && r.verdict !== 'skipped') {
      for (const f of r.findings) this.out.write(`      ${f.informational ? 'info: ' : ''}${describeFinding(f).replace(/ \[informational\]$/, '')}\n`);
      this.out.write(`      replay: ${r.replay}\n`);
    }
    this.redraw();
  }

  summary(results: readonly ScenarioResult[], reportDir: string): void {
    this.clearLine();
    const count = (v: Verdict) => results.filter((r) => r.verdict === v).length;
    // The four everyday counts always; the others only when they happened.
    const extra = (['non-strict', 'inconclusive', 'harness-error'] as const).filter((v) => count(v) > 0).map((v) => `${count(v)} ${v}`);
    this.out.write(
      `${count('pass')} passed, ${count('degraded')} degraded, ${count('fail')} failed, ${count('skipped')} skipped${extra.length ? `, ${extra.join(', ')}` : ''}; report in ${reportDir}\n`,
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
