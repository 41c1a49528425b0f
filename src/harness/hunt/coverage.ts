import fc from 'fast-check';
import type { DriverCapabilities, Fault, FaultType, Trigger } from '../../protocol/index.ts';
import { buildScenario, fault, faultTypesByLayer, generatedParts, type FaultLayer, type GeneratedScenarioConstraints } from '../../scenarios/arbitraries/index.ts';
import { baselineWorkload, workloadVariants, type CaseOrigin, type HuntCase } from './cases.ts';
import type { ScenarioCase } from './run-case.ts';
import { jobPhases } from './phases.ts';

/** A small seeded generator (mulberry32): the order of the search follows `--seed`. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** HTTP faults are aimed at a path: each is tried on every path a client reads (a hung `/history` read is not a hung submit). */
const pathFaults = new Set<FaultType>(['http_status', 'http_delay', 'http_hang']);
const paths = ['/prompt', '/history/*', '/queue'] as const;

export interface CoverageOptions {
  layers: readonly FaultLayer[];
  seed: number;
}

/**
 * Parameters of a systematic fault where a drawn one would often test little: a frame fault on
 * every frame from its phase on (a proxy that re-encodes or cuts all of them), outages that
 * outlast the rest of the job, HTTP errors as many times as a client retries.
 */
const strong: Partial<Record<FaultType, Record<string, unknown>>> = {
  bom: { frames: 60 },
  garbage_prefix: { frames: 60 },
  non_json: { frames: 3 },
  truncate: { frames: 3 },
  duplicate: { frames: 3 },
  drop: { frames: 3 },
  reorder: { frames: 2 },
  extra_fields: { frames: 60 },
  binary_preview: { frames: 3 },
  unknown_type: { frames: 3 },
  heartbeat: { frames: 3 },
  refuse_upgrades: { durationMs: 1_500 },
  // Silent for ever while HTTP works: only a client that notices and polls learns of its jobs.
  silence: { durationMs: 0 },
  restart: { downMs: 500, loseState: true },
  stalled_peer: { durationMs: 3_000 },
  // As catalogue 1.9: a frame past the sizes a client library reads by default.
  oversized: { bytes: 5 * 1024 * 1024, frames: 1 },
  http_status: { times: 2 },
  http_hang: { times: 1 },
  history_late: { delayMs: 1_000 },
  partition: { durationMs: 2_000 },
};

/**
 * The Toxiproxy toxics tried one by one, as the catalogue's group 4 sets them (a drawn toxic was
 * most often a harmless latency or slicer, and the hunt never met the toxics that cut a socket):
 * a reset, a black hole each way, a timeout that closes connections, a byte limit, latency.
 */
const toxicVariants: readonly Record<string, unknown>[] = [
  { toxic: 'reset_peer', stream: 'downstream', attributes: { timeout: 0 }, durationMs: 300 },
  { toxic: 'timeout', stream: 'downstream', attributes: { timeout: 0 }, durationMs: 2_500 },
  { toxic: 'timeout', stream: 'upstream', attributes: { timeout: 0 }, durationMs: 2_000 },
  { toxic: 'timeout', stream: 'downstream', attributes: { timeout: 800 }, durationMs: 2_000 },
  { toxic: 'limit_data', stream: 'downstream', attributes: { bytes: 2_048 }, durationMs: 600 },
  { toxic: 'latency', stream: 'downstream', attributes: { latency: 300, jitter: 0 }, durationMs: 2_000 },
];

/**
 * Faults that act only together, each as the catalogue has it, tried once before the singles (the
 * pairs, drawn at random, come minutes later): a submit whose answer is lost (4.10: the answer is
 * slow and a partition cuts the connection while it waits; the server runs the job, and a client
 * that trusts its failed POST reports a failure). Network layer only (the partition).
 */
const compounds: readonly { phases: string[]; faults: Fault[] }[] = [
  {
    phases: ['during submission', 'during submission'],
    faults: [
      { type: 'http_delay', path: '/prompt', delayMs: 300, times: 1, at: { on: 'time', afterMs: 0 } },
      { type: 'partition', durationMs: 1_500, at: { on: 'request', path: '/prompt', method: 'POST' } },
    ] as Fault[],
  },
];

/** The arbitrary of one fault type, built once: building it costs more than drawing from it. */
const faultArbitraries = new Map<FaultType, fc.Arbitrary<Fault>>();
function faultOfType(type: FaultType): fc.Arbitrary<Fault> {
  let a = faultArbitraries.get(type);
  if (!a) faultArbitraries.set(type, (a = fault({ layers: ['frame', 'connection', 'http', 'network'], types: [type], hangPaths: ['/prompt', '/history/*', '/queue'] })));
  return a;
}

/** One kind of the singles' vocabulary: a fault type, on a path for HTTP faults, a toxic for Toxiproxy's. */
interface Kind {
  type: FaultType;
  path?: (typeof paths)[number];
  variant?: Record<string, unknown>;
}

/** One instance of a fault kind (its other parameters drawn from the seed), put at `at`. */
function instance(k: Kind, at: Trigger, seed: number, strength: 'strong' | 'drawn' = 'strong'): Fault {
  const { type, path } = k;
  const [drawn] = fc.sample(faultOfType(type), { seed, numRuns: 1 });
  const f = { ...drawn!, ...(strength === 'strong' ? strong[type] : {}), ...k.variant, at } as Fault & { path?: string };
  if (path && 'path' in f) f.path = path;
  return f as Fault;
}

/** Connection faults first: they find most bugs (a lost socket, a restart, a deaf socket). */
const layerOrder: readonly FaultLayer[] = ['connection', 'frame', 'http', 'network'];

/** Every fault kind of the layers, once per path for HTTP faults and once per toxic: the singles' vocabulary. */
function kinds(layers: readonly FaultLayer[]): Kind[] {
  return layerOrder
    .filter((l) => layers.includes(l))
    .flatMap((l) => faultTypesByLayer[l])
    .flatMap((type): Kind[] => (pathFaults.has(type) ? paths.map((path) => ({ type, path })) : type === 'toxic' ? toxicVariants.map((variant) => ({ type, variant })) : [{ type }]));
}

/**
 * The systematic part of the hunt (issue 15): the other fault-free workloads (cases.ts), then every
 * fault kind of every layer at every phase of a job (phases.ts), on the baseline workload; then pairs, in an order shuffled by the seed so that
 * different kinds meet early. Lazy: the time limit decides how far it gets.
 */
export function* systematicCases(o: CoverageOptions): Generator<HuntCase> {
  const random = seededRandom(o.seed ^ 0x5eed);
  const vocabulary = kinds(o.layers);
  let n = 0;
  // Other fault-free workloads first: what fails there needs no fault at all.
  for (const v of workloadVariants()) yield { origin: 'workload', workload: v.workload, faults: [], runSeed: o.seed + n++ };
  // On the plain job's first job alone, as in the catalogue: the partition would take the second job too.
  const oneJob = { ...baselineWorkload(), jobs: baselineWorkload().jobs.slice(0, 1) };
  if (o.layers.includes('network')) for (const c of compounds) yield { origin: 'pair', workload: oneJob, faults: structuredClone(c.faults), runSeed: o.seed + n++, phases: c.phases };
  // Every kind once first, where it acts: during submission for a fault on POST /prompt (at
  // mid-progress every submit is done, and it never fires), at the job's end for a lost or
  // duplicated frame (mid-progress it takes a progress frame, which no client misses), else
  // mid-progress; then every kind at each other phase:
  // distinct bugs come early, and a kind the client hangs on does not hold up the others for seven
  // phases. Next the job's end, where a lost, duplicated or reordered frame is the terminal one.
  const phaseNamed = (name: string) => jobPhases.find((p) => p.name === name)!;
  const phaseOrder = ['mid-progress', 'between executed and execution_success', ...jobPhases.map((p) => p.name)].filter((p, i, all) => all.indexOf(p) === i);
  const firstPhase = (k: Kind) => (k.path === '/prompt' ? 'during submission' : k.type === 'drop' || k.type === 'duplicate' ? 'between executed and execution_success' : 'mid-progress');
  const single = (k: Kind, phase: (typeof jobPhases)[number]): HuntCase => ({ origin: 'single', workload: baselineWorkload(), faults: [instance(k, phase.at, o.seed + n++)], runSeed: o.seed + n, phases: [phase.name] });
  for (const k of vocabulary) yield single(k, phaseNamed(firstPhase(k)));
  // At the job's end the faults that act on the terminal frame itself first (lost, duplicated,
  // reordered, cut): a socket lost there is mostly the bug a socket lost mid-progress showed.
  const terminal: readonly FaultType[] = ['drop', 'duplicate', 'reorder', 'truncate'];
  const frameFirst = [...terminal.flatMap((t) => vocabulary.filter((k) => k.type === t)), ...vocabulary.filter((k) => !terminal.includes(k.type))];
  for (const name of phaseOrder) {
    for (const k of name === 'between executed and execution_success' ? frameFirst : vocabulary) if (firstPhase(k) !== name) yield single(k, phaseNamed(name));
  }
  const pairs = vocabulary.flatMap((a) => vocabulary.map((b) => [a, b] as const));
  for (const [a, b] of shuffled(pairs, random)) {
    const pa = jobPhases[Math.floor(random() * jobPhases.length)]!;
    const pb = jobPhases[Math.floor(random() * jobPhases.length)]!;
    yield {
      origin: 'pair',
      workload: baselineWorkload(),
      faults: [instance(a, pa.at, o.seed + n++, 'drawn'), instance(b, pb.at, o.seed + n++, 'drawn')],
      runSeed: o.seed + n,
      phases: [pa.name, pb.name],
    };
  }
}

/** A random case: a generated workload and fault schedule (`generatedScenario`'s parts) and a run seed. */
export function generatedCase(constraints: GeneratedScenarioConstraints = {}): fc.Arbitrary<Pick<HuntCase, 'workload' | 'faults' | 'runSeed'>> {
  return fc
    .record({ parts: generatedParts(constraints), runSeed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) })
    .map(({ parts: [workload, faults], runSeed }) => ({ workload, faults, runSeed }));
}

/**
 * A random case built as `generatedScenario` builds it (id 9.1, its generous bounds): what the
 * property tests and bench/fuzz.ts run on their own, outside the hunt.
 */
export function fuzzCase(constraints: GeneratedScenarioConstraints = {}): fc.Arbitrary<ScenarioCase> {
  return generatedCase(constraints).map((c) => ({ scenario: buildScenario(constraints.id ?? '9.1', c.workload, c.faults), runSeed: c.runSeed }));
}

/**
 * The random part: generated workloads (several jobs, windows, cached reruns, failing graphs,
 * cancels) and schedules of up to five faults with every trigger kind, phase triggers included;
 * windows, servers and cancels only as far as the client declares it can.
 */
export function* randomCases(o: RandomOptions): Generator<HuntCase> {
  const caps = o.capabilities ?? {};
  const maxJobs = o.maxJobs ?? 3;
  const arbitrary = generatedCase({
    workload: {
      maxJobs,
      maxWindows: Math.min(2, typeof caps.windows === 'number' ? caps.windows : 1),
      maxServers: Math.min(2, typeof caps.servers === 'number' ? caps.servers : 1),
      cancels: caps.cancel === true,
      maxJobMs: 800,
    },
    faults: {
      layers: o.layers,
      minFaults: 1,
      maxFaults: 5,
      trigger: { kinds: ['time', 'message', 'connect', 'frames', 'request', 'prompt', 'node'], maxPrompt: maxJobs, maxAfterMs: 3_000 },
    },
  });
  for (let batch = 0; ; batch++) {
    for (const drawn of fc.sample(arbitrary, { seed: o.seed + 7_919 * (batch + 1), numRuns: 100 })) {
      yield { origin: 'random', ...drawn };
    }
  }
}

export interface RandomOptions extends CoverageOptions {
  capabilities?: DriverCapabilities;
  maxJobs?: number;
}

/**
 * Every case the search tries after the baseline, in order: the systematic part (unless
 * `systematic: false`), then the random part for ever. Each case carries its search path,
 * `<stage>-<index in its stage>`, so that `caseAtPath` finds it again from the seed alone.
 */
export function* searchCases(o: RandomOptions & { systematic?: boolean }): Generator<HuntCase> {
  const next: Partial<Record<CaseOrigin, number>> = {};
  const stream = (function* () {
    if (o.systematic !== false) yield* systematicCases(o);
    yield* randomCases(o);
  })();
  for (const c of stream) {
    const index = next[c.origin] ?? 0;
    next[c.origin] = index + 1;
    yield { ...c, path: `${c.origin}-${index}` };
  }
}
