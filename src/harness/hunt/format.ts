import type { HuntReport } from './engine.ts';

/** What the search covered, in one line: `42 singles, 300 pairs, 1,200 random; 24 fault kinds; 7 phases`. */
export function coverageLine(r: HuntReport): string {
  const s = r.coverage.byStage;
  const parts = [`${s.baseline ?? 0} baseline`, `${s.single ?? 0} single-fault`, `${s.workload ?? 0} other fault-free workloads`, `${s.pair ?? 0} pairs`, `${s.random ?? 0} random`, `${s.shrink ?? 0} shrinking`];
  const v = Object.entries(r.coverage.verdicts).map(([k, n]) => `${n} ${k}`).join(', ');
  if (r.coverage.pruned) parts.push(`${r.coverage.pruned} single-fault skipped (their fault already showed its bug)`);
  return `${parts.join(', ')}; ${r.coverage.faultKinds.length} fault kinds at ${r.coverage.phases.length} phase${r.coverage.phases.length === 1 ? "" : "s"}; verdicts: ${v}`;
}

/**
 * The hunt's result for people: one line a bug with its fault count and replay command, harness
 * errors apart (ours, not the client's), and for no bug the honest count and coverage.
 */
export function formatHuntReport(r: HuntReport): string[] {
  const head = `${r.scenarios} scenarios in ${(r.wallMs / 1000).toFixed(1)} s (${r.perSecond}/s), ${r.transport} transport, client ${r.clientSpec}, seed ${r.seed}`;
  const lines: string[] = [];
  if (!r.bugs.length) lines.push(`no bug found in ${r.scenarios} scenarios (coverage: ${coverageLine(r)}); ${head}`);
  else {
    lines.push(`${r.bugs.length} bug${r.bugs.length === 1 ? '' : 's'} found; ${head}`);
    for (const b of r.bugs) {
      lines.push(`${b.id}. ${b.summary}, found after ${(b.foundAtMs / 1000).toFixed(1)} s, seen ${b.seen}x${b.shrinkDone ? '' : ' (shrinking stopped by the time limit)'}`);
      lines.push(`   replay: ${b.replay}`);
    }
    lines.push(`coverage: ${coverageLine(r)}`);
  }
  if (r.harnessErrors.length) {
    lines.push(`${r.harnessErrors.length} harness error${r.harnessErrors.length === 1 ? '' : 's'} (a bug of comfy-chaos, not of the client; please report it): ${r.harnessErrors[0]!.result.harnessError?.message ?? r.harnessErrors[0]!.result.reason ?? ''}`);
  }
  return lines;
}
