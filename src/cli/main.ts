import { Command, CommanderError } from 'commander';
import { packageVersion } from '../harness/package-info.ts';
import { UsageError } from '../harness/usage-error.ts';
import { stopOnSignals } from './stop-on-signals.ts';

/** Exit codes: 0 ok, 1 a scenario failed, 2 a usage or environment error. */
export const EXIT_USAGE = 2;

type Register = (program: Command) => void;

/**
 * Every command, by name: a one-line description for the top-level help, and the module that
 * registers it, loaded only when that command runs. `comfy-chaos --help` and `--version` then load
 * no harness code at all, which keeps start-up fast (bench/cli-startup.ts). A module may register
 * several commands (`run` and `list`); `test/unit/cli/command-table.test.ts` checks that each
 * description here is the one its module gives.
 */
export const commandTable: Record<string, { description: string; load: () => Promise<Register>; /** The command deals with SIGINT/SIGTERM/SIGHUP itself (or keeps Node's default). */ handlesSignals?: boolean }> = {
  run: { description: 'Run scenarios of the catalogue against one or more clients and write a report', load: async () => (await import('./run-command.ts')).registerRun },
  hunt: {
    description: 'Find every distinct bug of a client: baseline, every fault at every phase of a job, pairs, then random; each bug shrunk with its replay command',
    load: async () => (await import('./hunt-command.ts')).registerHunt,
  },
  list: { description: 'List the scenario catalogue: ids, names and purposes', load: async () => (await import('./run-command.ts')).registerRun },
  replay: {
    description: 'Run exactly the same scenario, client, transport and seed again (the failing ones of a report by default); or replay recorded traffic (comfy-chaos record) against clients, with faults added',
    load: async () => (await import('./report-commands.ts')).registerReportCommands,
  },
  merge: { description: 'Join the reports of several runs (e.g. CI shards) into one', load: async () => (await import('./report-commands.ts')).registerReportCommands },
  serve: { description: 'Run the ComfyUI simulator standalone, so any client can be pointed at it', load: async () => (await import('./serve-command.ts')).registerServe, handlesSignals: true },
  driver: {
    description: 'Run a bundled client as a driver process: driver commands as JSON lines on stdin, events on stdout (COMFY_URL names the server)',
    load: async () => (await import('./driver-command.ts')).registerDriver,
    // A driver is a child of the harness, which stops it; it starts no children of its own, so Node's default ending on a signal is kept.
    handlesSignals: true,
  },
  fuzz: {
    description: 'Search for one scenario the client fails (hunt --first: the plain job, every fault at every phase, pairs, then generated workloads and schedules) and shrink it to a replayable scenario file',
    load: async () => (await import('./fuzz-command.ts')).registerFuzz,
  },
  record: {
    description: 'A transparent HTTP + WebSocket proxy in front of a real ComfyUI that records the traffic as a trace (then: comfy-chaos import / replay)',
    load: async () => (await import('./record-command.ts')).registerRecord,
    handlesSignals: true,
  },
  import: {
    description: 'Turn a recorded trace (comfy-chaos record) into a scenario file: the workload with its timing and the real server frames',
    load: async () => (await import('./import-command.ts')).registerImport,
  },
  toxiproxy: {
    description: 'Get the Toxiproxy server network faults need, without Go: `toxiproxy install` downloads the pinned release and checks its SHA-256',
    load: async () => (await import('./toxiproxy-command.ts')).registerToxiproxy,
  },
  schema: {
    description: 'Print the JSON Schema of a scenario file, a relay profile or a node file (generated from the zod schemas), for editors to validate and complete them',
    load: async () => (await import('./schema-command.ts')).registerSchema,
  },
  doctor: { description: 'Say which Toxiproxy providers (and STOMP brokers) are available here, and how to get one', load: async () => (await import('./doctor-command.ts')).registerDoctor },
};

function baseProgram(): Command {
  return new Command('comfy-chaos')
    .description('Protocol conformance and chaos test harness for ComfyUI clients')
    .version(packageVersion(), '-V, --version', 'print the version of comfy-chaos')
    .exitOverride()
    .showHelpAfterError('(run comfy-chaos --help for usage)');
}

/** The command a command line names: its first word, or the argument of `help <command>`. */
function commandNamed(argv: readonly string[]): string | undefined {
  const first = argv[0];
  if (first === 'help') return argv[1];
  return first !== undefined && !first.startsWith('-') ? first : undefined;
}

/**
 * The program with the named command loaded (every command when `argv` is not given); the others
 * are listed by name and description only.
 */
export async function buildProgram(argv?: readonly string[]): Promise<Command> {
  const program = baseProgram();
  const wanted = argv === undefined ? Object.keys(commandTable) : [commandNamed(argv)].filter((n): n is string => n !== undefined && n in commandTable);
  const loaded = new Set<Register>();
  for (const name of wanted) {
    const register = await commandTable[name]!.load();
    if (!loaded.has(register)) register(program);
    loaded.add(register);
  }
  const registered = new Set(program.commands.map((c) => c.name()));
  for (const [name, entry] of Object.entries(commandTable)) {
    if (!registered.has(name)) program.command(name).description(entry.description);
  }
  // Commander lists commands in the order they were added; keep the table's order.
  const order = Object.keys(commandTable);
  (program.commands as Command[]).sort((a, b) => order.indexOf(a.name()) - order.indexOf(b.name()));
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  let program: Command;
  try {
    program = await buildProgram(argv);
  } catch (error) {
    process.stderr.write(`comfy-chaos: could not load the command: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }
  const name = commandNamed(argv);
  const releaseSignals = name && name in commandTable && !commandTable[name]!.handlesSignals && argv[0] !== 'help' ? stopOnSignals() : () => {};
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`comfy-chaos: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  } finally {
    releaseSignals();
  }
}

export { UsageError };
