import { driverClient, type ClientUnderTest } from './adapters/client-under-test.ts';
import { resolveCommand, whyNotRunnable } from './adapters/command-line.ts';
import { referenceClient } from './adapters/reference-adapter.ts';
import { frontendClient } from './adapters/frontend/frontend-client.ts';
import { parseFrontendSpec } from './adapters/frontend/frontend-version.ts';
import { isMutantName, mutantNames } from '../reference-client/mutants.ts';
import { UsageError } from './usage-error.ts';

/** `name=` before a client spec: a short label, a letter or digit then letters, digits, `.`, `_`, `-`. */
const LABELLED = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63})=(.*)$/s;

/**
 * `--client reference` is the in-process reference client; `--client reference:<mutant>` the same
 * client with one planted bug (src/reference-client/mutants.ts, for showing that the catalogue
 * catches it); `--client frontend` / `frontend@<version>` the official ComfyUI frontend in headless
 * Chromium (src/harness/adapters/frontend/); anything else is the command line of a driver process (design.md, "Clients under
 * test"). `--client name=<any of those>` gives the client a short label in reports (issue 12);
 * its `spec` keeps the whole argument, so replay commands run as printed.
 */
export function clientFromSpec(spec: string): ClientUnderTest {
  const labelled = LABELLED.exec(spec.trim());
  if (!labelled) return { ...unlabelledClient(spec), spec: spec.trim() };
  const [, label, rest] = labelled as unknown as [string, string, string];
  if (!rest.trim()) throw new UsageError(`--client ${spec.trim()}: nothing after "${label}=": give a command, e.g. --client '${label}=python3 my_driver.py'`);
  const client = unlabelledClient(rest);
  // The driver's own reports say who they are; every report and trace line uses the label.
  return Object.assign(client, { name: label, spec: spec.trim() });
}

function unlabelledClient(spec: string): ClientUnderTest {
  const trimmed = spec.trim();
  if (trimmed === 'reference') return referenceClient();
  const frontend = parseFrontendSpec(trimmed);
  if (frontend) return frontendClient(frontend.version);
  const mutant = /^reference:(.*)$/.exec(trimmed);
  if (mutant) {
    const name = mutant[1]!.trim();
    if (!isMutantName(name)) {
      throw new UsageError(`unknown mutant "${name}" in --client ${trimmed} (known: ${mutantNames.map((m) => `reference:${m}`).join(', ')})`);
    }
    return referenceClient(`reference:${name}`, { mutation: name });
  }
  // A command that cannot start at all is the user's mistake, said once before any scenario runs (exit 2).
  let program: string;
  try {
    ({ program } = resolveCommand(trimmed));
  } catch (error) {
    throw new UsageError(`--client ${trimmed}: ${(error as Error).message}`);
  }
  const why = whyNotRunnable(program);
  if (why) throw new UsageError(`--client ${trimmed}: ${why}. No scenario was run.`);
  return driverClient(trimmed, trimmed);
}

/** Quotes an argument for a POSIX shell when it needs it, for replay commands. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
