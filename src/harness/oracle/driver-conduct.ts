import type { Finding } from '../result.ts';
import { lines } from './invariant.ts';
import type { TraceFacts } from './trace-facts.ts';

/** How many trace lines of one kind a finding quotes as evidence. */
const EVIDENCE_LINES = 5;

/**
 * Driver conduct: how the client process behaved towards the harness, as distinct from what it
 * told its user. None of it loses, duplicates or invents a job, so every finding here is
 * informational (it never fails a scenario) but always shown, whatever the scenario's
 * `invariants` say (issues 11 and 12):
 * - it ignored `shutdown` and the end of its stdin, and had to be killed: a client author wants
 *   to know (in CI the process would linger), but the jobs were judged already;
 * - it printed lines on stdout that are not driver events (they were skipped, and whatever they
 *   meant to say was lost);
 * - it sent more events than the harness records (a flood: the rest were counted, not recorded).
 */
export function driverConduct(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  const of = (kind: string) => facts.clientErrors.filter((e) => e.problem === kind);
  const shutdown = of('shutdown');
  if (shutdown.length) {
    findings.push({
      invariant: 'driver-conduct',
      message: `the client ignored shutdown: ${shutdown[0]!.message}. A driver should exit when it reads {"type":"shutdown"} or its stdin ends; this does not change how its jobs were judged`,
      evidence: lines(shutdown.map((e) => e.seq)),
      informational: true,
    });
  }
  const junk = of('junk');
  if (junk.length) {
    const more = of('flood').some((e) => /lines that are not driver events/.test(e.message));
    findings.push({
      invariant: 'driver-conduct',
      message: `the client printed ${junk.length}${more ? ' or more' : ''} line(s) on stdout that are not driver events, which were skipped (first: ${junk[0]!.message}). Stdout is for driver events only: write diagnostics to stderr or as {"type":"log"}`,
      evidence: lines(junk.slice(0, EVIDENCE_LINES).map((e) => e.seq)),
      informational: true,
    });
  }
  const flood = of('flood');
  if (flood.length) {
    findings.push({
      invariant: 'driver-conduct',
      message: `the client sent more than the harness records: ${flood.map((e) => e.message).join('; ')}`,
      evidence: lines(flood.slice(0, EVIDENCE_LINES).map((e) => e.seq)),
      informational: true,
    });
  }
  return findings;
}
