import type { ComfyuiProfile } from '../../protocol/index.ts';
import type { Route } from '../../simulator/http/comfy-routes.ts';
import type { InvariantName, ScenarioInput } from '../../scenarios/scenario.ts';
import type { FaultLayer } from '../../scenarios/arbitraries/index.ts';
import type { ClientUnderTest } from '../adapters/client-under-test.ts';
import type { ScenarioResult, Verdict } from '../result.ts';
import type { Transport } from '../runner.ts';
import type { AcquiredToxiproxy, SkippedToxiproxy } from '../toxiproxy/index.ts';
import { baselineCase, scenarioOf, sizeOf, type CaseOrigin, type HuntCase } from './cases.ts';
import { searchCases } from './coverage.ts';
import { replayCommand } from './replay.ts';
import { runCase } from './run-case.ts';
import { caseAtPath } from './search-path.ts';
import { smallerCases } from './shrink.ts';
import { explainedBy, sameBug as sameSignature, signatureOf, summaryOf, type Signature } from './signature.ts';
import { Slots } from './slots.ts';

export interface HuntOptions {
  client: ClientUnderTest;
  /** The `--client` argument, for replay commands [default the client's spec or name] */
  clientSpec?: string;
  transport?: Transport;
  seed?: number;
  /** Real time the search may take, in ms; shrinking stops then too [default 60 s] */
  maxTimeMs?: number;
  /** Scenarios run at once [default 2 on memory, 8 on network: out-of-process clients mostly wait] */
  concurrency?: number;
  toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy;
  comfyui?: ComfyuiProfile;
  /** Stop at the first bug, once shrunk (`fuzz`, `hunt --first`). */
  first?: boolean;
  /** Runs of the plain job before anything else [default 3] */
  baselineRuns?: number;
  /** Where bug scenario files will be written, for their replay commands [default the working directory] */
  outDir?: string;
  /** Stop after this many scenarios (tests, benches) [default no limit] */
  maxScenarios?: number;
  /** Which phases to run [default all]: `systematic: false` samples at random from the start. */
  systematic?: boolean;
  onProgress?: (p: HuntProgress) => void;
  onBug?: (bug: HuntBug) => void;
  /** Routes every simulator tries first: for tests of the harness itself (RunScenarioOptions). */
  simulatorRoutes?: Route[];
  /** Only failures that break one of these count (the single-property form, `--invariant`) [default every invariant] */
  invariants?: readonly InvariantName[];
  /** Runs only the case this search path names (`fuzz --seed --path`): no baseline, no search, no shrinking. */
  path?: string;
  /** The file name of bug `id`'s shrunk scenario in `outDir` [default `bug-<id>.yaml`] */
  scenarioFileName?: (id: number) => string;
}

export interface HuntProgress {
  scenarios: number;
  perSecond: number;
  bugs: number;
  shrinking: number;
  stage: CaseOrigin;
  harnessErrors: number;
}

/** One run kept with its case. */
export interface HuntRun {
  case: HuntCase;
  scenario: ScenarioInput;
  result: ScenarioResult;
}

/** A bucket of failures with one signature: one bug of the client. */
export interface HuntBug {
  id: number;
  summary: string;
  signature: Signature;
  /** Real ms from the start of the hunt to its first failure, and to the end of its shrinking. */
  foundAtMs: number;
  shrunkAtMs?: number;
  /** Scenarios run when it was found. */
  foundAfter: number;
  /** Failures of this signature seen (the first one included). */
  seen: number;
  /** The distinct sets of broken invariants among them (two symptoms of one bug). */
  variants: string[];
  /** The fault types of the schedules that showed it. */
  kinds: string[];
  first: HuntRun;
  /** The smallest failing case found so far (the first one until shrinking finds smaller). */
  shrunk: HuntRun;
  shrinkRuns: number;
  /** Shrinking ended by itself (no smaller case fails), not by the time limit. */
  shrinkDone: boolean;
  /** `comfy-chaos run --scenario <file>` of the shrunk case. */
  replay: string;
  scenarioFile: string;
}

export interface HuntReport {
  clientSpec: string;
  transport: Transport;
  seed: number;
  comfyui?: string;
  scenarios: number;
  wallMs: number;
  perSecond: number;
  bugs: HuntBug[];
  /** Runs that ended `harness-error`: our bugs, never the client's. */
  harnessErrors: HuntRun[];
  /** What the search covered: cases per stage, verdicts, fault kinds run. */
  coverage: {
    byStage: Partial<Record<CaseOrigin, number>>;
    verdicts: Partial<Record<Verdict, number>>;
    faultKinds: string[];
    phases: string[];
    /** Single-fault cases not run because their fault type had already failed twice into known bugs. */
    pruned: number;
  };
  /** Stopped by the time limit (or `maxScenarios`) rather than by running out of cases or `first`. */
  interrupted: boolean;
  /** Why nothing was hunted: every baseline run was skipped (a transport or capability the client lacks). */
  unrunnable?: string;
}

/** Network faults only where Toxiproxy can apply them. */
function layersFor(transport: Transport, toxiproxy?: AcquiredToxiproxy | SkippedToxiproxy): FaultLayer[] {
  return transport === 'network' && toxiproxy?.status === 'ready' ? ['frame', 'connection', 'http', 'network'] : ['frame', 'connection', 'http'];
}

/**
 * The hunt (issue 15): baseline, then every fault kind at every phase of a job, then pairs, then
 * random workloads and schedules, `concurrency` scenarios at a time, until `maxTimeMs`. Failures
 * are grouped by signature (signature.ts) into bugs; the first failure of each is shrunk while the
 * search goes on. A `harness-error` is kept apart: our bug, never the client's.
 */
export async function hunt(options: HuntOptions): Promise<HuntReport> {
  const transport = options.transport ?? 'memory';
  const clientSpec = options.clientSpec ?? options.client.spec ?? options.client.name;
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const maxTimeMs = options.maxTimeMs ?? 60_000;
  const slots = new Slots(options.concurrency ?? (transport === 'memory' ? 2 : 8));
  const layers = layersFor(transport, options.toxiproxy);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeUp = () => elapsed() >= maxTimeMs;
  const bugs: HuntBug[] = [];
  const byKey = new Map<string, HuntBug>();
  const harnessErrors: HuntRun[] = [];
  const coverage: HuntReport['coverage'] = { byStage: {}, verdicts: {}, faultKinds: [], phases: [], pruned: 0 };
  /** Single-fault failures per fault type that found no new bug: past two, its other phases are skipped. */
  const knownFailures = new Map<string, number>();
  const kinds = new Set<string>();
  const phases = new Set<string>();
  const shrinks = new Set<Promise<void>>();
  let scenarios = 0;
  let stage: CaseOrigin = 'baseline';
  let baselineInvariants: string[] = [];
  let stop = false;
  const inFlight = new Set<Promise<void>>();
  /** Scenarios still running count against the budget, so that `maxScenarios` is exact at any concurrency. */
  const budgetLeft = () => options.maxScenarios === undefined || scenarios + inFlight.size < options.maxScenarios;

  const progress = () =>
    options.onProgress?.({ scenarios, perSecond: Math.round((scenarios / Math.max(elapsed(), 1)) * 10_000) / 10, bugs: bugs.length, shrinking: shrinks.size, stage, harnessErrors: harnessErrors.length });

  const execute = async (c: HuntCase): Promise<HuntRun> => {
    const scenario = scenarioOf(c);
    const result = await runCase({ scenario, runSeed: c.runSeed }, {
      client: options.client,
      transport,
      ...(options.toxiproxy ? { toxiproxy: options.toxiproxy } : {}),
      ...(options.comfyui ? { comfyui: options.comfyui } : {}),
      ...(options.simulatorRoutes ? { simulatorRoutes: options.simulatorRoutes } : {}),
    });
    scenarios++;
    coverage.byStage[c.origin] = (coverage.byStage[c.origin] ?? 0) + 1;
    coverage.verdicts[result.verdict] = (coverage.verdicts[result.verdict] ?? 0) + 1;
    if (result.verdict !== 'skipped') {
      for (const f of c.faults) kinds.add(f.type);
      for (const p of c.phases ?? []) phases.add(p);
    }
    const run = { case: c, scenario, result };
    if (result.verdict === 'harness-error') harnessErrors.push(run);
    progress();
    return run;
  };

  const signature = (run: HuntRun) => signatureOf(run.result, run.case.faults, baselineInvariants);
  /** Whether a failure is one the search looks for: any, or one that breaks an invariant of `options.invariants`. */
  const wanted = (sig: Signature) => !options.invariants || sig.invariants.some((i) => (options.invariants as readonly string[]).includes(i));
  const file = (id: number) => replayFile(options.outDir, id, options.scenarioFileName);
  /** The bug a failing run belongs to, if any. */
  const bucketOf = (sig: Signature) =>
    byKey.get(sig.key) ??
    bugs.find((b) => sameSignature(b.signature, sig) || sameSignature(signature(b.shrunk), sig)) ??
    (sig.families.length > 1 ? bugs.find((b) => explainedBy(b.signature, sig)) : undefined);

  const sameBug = (bug: HuntBug, run: HuntRun): boolean => {
    if (run.result.verdict !== 'fail') return false;
    const sig = signature(run);
    if (!wanted(sig)) return false;
    if (sig.key === bug.signature.key || byKey.get(sig.key) === bug) return true;
    // Shrinking may lose a second symptom or a fault that fired but did not matter; it must keep
    // the symptom, one of the bug's invariants, and a fault unless the bug needed none.
    return sig.symptom.kind === bug.signature.symptom.kind && sig.symptom.exit === bug.signature.symptom.exit && sig.symptom.error === bug.signature.symptom.error && sig.invariants.some((i) => bug.signature.invariants.includes(i)) && (sig.families.length > 0 || bug.signature.families.length === 0);
  };

  const shrink = async (bug: HuntBug): Promise<void> => {
    let best = bug.first;
    for (let improved = true; improved && !timeUp() && !stop; ) {
      improved = false;
      for (const smaller of smallerCases(best.case)) {
        if (timeUp() || stop) break;
        if (sizeOf(smaller) >= sizeOf(best.case)) continue;
        const run = await slots.run(() => execute(smaller), 'urgent');
        bug.shrinkRuns++;
        if (sameBug(bug, run)) {
          best = run;
          bug.shrunk = run;
          improved = true;
          break;
        }
      }
      if (!improved && !timeUp() && !stop) bug.shrinkDone = true;
    }
    bug.shrunkAtMs = elapsed();
    const sig = signature(bug.shrunk);
    // The shrunk case names the bug: its faults are the ones that matter.
    if (sig.invariants.length) {
      const other = byKey.get(sig.key) ?? bugs.find((b) => b !== bug && b.id < bug.id && (sameSignature(b.signature, sig) || sameSignature(signature(b.shrunk), sig)));
      if (other && other !== bug && other.id < bug.id) {
        // Two first failures that shrink to one signature are one bug: fold the later one in.
        other.seen += bug.seen;
        for (const v of bug.variants) if (!other.variants.includes(v)) other.variants.push(v);
        for (const k of bug.kinds) if (!other.kinds.includes(k)) other.kinds.push(k);
        bugs.splice(bugs.indexOf(bug), 1);
        byKey.set(bug.signature.key, other);
        return;
      }
      byKey.set(sig.key, bug);
      bug.signature = { ...sig, phases: sig.phases.length ? sig.phases : bug.signature.phases };
    }
    bug.summary = summaryOf(bug.signature, bug.shrunk.case.faults.length);
    bug.replay = replayCommand({ clientSpec, transport, runSeed: bug.shrunk.case.runSeed, scenarioFile: bug.scenarioFile, comfyui: options.comfyui?.name });
    options.onBug?.(bug);
  };

  const consider = (run: HuntRun): void => {
    if (run.result.verdict !== 'fail') return;
    const sig = signature(run);
    if (!wanted(sig) && !(sig.invariants.length === 0 && bugs[0])) return;
    // Everything it broke the baseline breaks too: bug 1 explains it.
    const known = sig.invariants.length === 0 ? bugs[0] : bucketOf(sig);
    if (known) {
      if (run.case.origin === 'single') for (const f of run.case.faults) knownFailures.set(f.type, (knownFailures.get(f.type) ?? 0) + 1);
      known.seen++;
      const variant = sig.invariants.join('+');
      if (variant && !known.variants.includes(variant)) known.variants.push(variant);
      for (const f of run.case.faults) if (!known.kinds.includes(f.type)) known.kinds.push(f.type);
      return;
    }
    // The single-property form keeps its first bug only: a second one finishing in another slot waits for the next search.
    if (options.first && bugs.length) return;
    const id = bugs.length + 1;
    const scenarioFile = file(id);
    const bug: HuntBug = {
      id,
      summary: summaryOf(sig, run.case.faults.length),
      signature: sig,
      foundAtMs: elapsed(),
      foundAfter: scenarios,
      seen: 1,
      variants: [sig.invariants.join('+')],
      kinds: [...new Set(run.case.faults.map((f) => f.type))],
      first: run,
      shrunk: run,
      shrinkRuns: 0,
      shrinkDone: false,
      scenarioFile,
      replay: replayCommand({ clientSpec, transport, runSeed: run.case.runSeed, scenarioFile, comfyui: options.comfyui?.name }),
    };
    bugs.push(bug);
    byKey.set(sig.key, bug);
    if (options.path) {
      // A replay runs the case the path names and nothing else: it is already as small as it was.
      bug.shrinkDone = true;
      bug.shrunkAtMs = elapsed();
      return;
    }
    const p = shrink(bug).finally(() => shrinks.delete(p));
    shrinks.add(p);
  };

  const searchOptions = { layers, seed, ...(options.client.capabilities ? { capabilities: options.client.capabilities } : {}), ...(options.systematic === false ? { systematic: false } : {}) };
  // 0. A replay (`--path`): the one case the path names, found again from the seed.
  const replayed = options.path === undefined ? undefined : caseAtPath(options.path, searchOptions);
  // 1. Baseline: the plain job, no fault, a few times. A failure here is bug 1, and what it breaks is excluded from later signatures.
  const baselineCount = replayed ? 0 : Math.min(options.baselineRuns ?? 3, options.maxScenarios ?? Infinity);
  const baselineRuns = await Promise.all(Array.from({ length: baselineCount }, (_, i) => slots.run(() => execute(baselineCase(seed, i)))));
  for (const run of baselineRuns) consider(run);
  if (bugs[0]) baselineInvariants = bugs[0].signature.invariants;
  const unrunnable = baselineRuns.length > 0 && baselineRuns.every((r) => r.result.verdict === 'skipped') ? baselineRuns[0]?.result.reason ?? 'skipped' : undefined;

  // 2. Systematic, then random; skipping what the client's declared capabilities exclude.
  const cases = (function* () {
    if (replayed) yield replayed;
    else if (!unrunnable) yield* searchCases(searchOptions);
  })();
  for (const c of cases) {
    if (timeUp() || stop || !budgetLeft() || (options.first && bugs.length > 0)) break;
    stage = c.origin;
    // A fault type that failed twice more into known bugs has shown what it shows; a client that hangs on it would cost seconds a phase.
    if (c.origin === 'single' && (knownFailures.get(c.faults[0]!.type) ?? 0) >= 2) {
      coverage.pruned++;
      continue;
    }
    await slots.acquire('normal');
    if (timeUp() || stop || !budgetLeft()) {
      slots.release();
      break;
    }
    const p = execute(c)
      .then(consider)
      .finally(() => {
        slots.release();
        inFlight.delete(p);
      });
    inFlight.add(p);
  }
  const interrupted = timeUp() || !budgetLeft();
  await Promise.all(inFlight);
  // Shrinking stops at the time limit too; wait for it to hand back its best.
  while (shrinks.size) await Promise.all([...shrinks]);
  stop = true;
  // Bugs folded into others leave gaps: number the rest 1..n again, with their files and replay lines.
  for (const [i, bug] of bugs.entries()) {
    bug.id = i + 1;
    bug.scenarioFile = file(bug.id);
    bug.replay = replayCommand({ clientSpec, transport, runSeed: bug.shrunk.case.runSeed, scenarioFile: bug.scenarioFile, comfyui: options.comfyui?.name });
    bug.summary = summaryOf(bug.signature, bug.shrunk.case.faults.length);
  }
  coverage.faultKinds = [...kinds].sort();
  coverage.phases = [...phases];
  const wallMs = elapsed();
  return {
    clientSpec,
    transport,
    seed,
    ...(options.comfyui ? { comfyui: options.comfyui.name } : {}),
    scenarios,
    wallMs,
    perSecond: Math.round((scenarios / Math.max(wallMs, 1)) * 10_000) / 10,
    bugs,
    harnessErrors,
    coverage,
    interrupted,
    ...(unrunnable ? { unrunnable } : {}),
  };
}

/** Where bug `id`'s shrunk scenario is written (and what its replay command names). */
export function replayFile(outDir: string | undefined, id: number, fileName: (id: number) => string = (n) => `bug-${n}.yaml`): string {
  const name = fileName(id);
  return outDir ? `${outDir.replace(/\/+$/, '')}/${name}` : name;
}
