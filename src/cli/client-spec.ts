import { driverClient, type ClientUnderTest } from '../harness/adapters/client-under-test.ts';
import { referenceClient } from '../harness/adapters/reference-adapter.ts';

/**
 * `--client reference` is the in-process reference client; anything else is the command line
 * of a driver process (design.md, "Clients under test").
 */
export function clientFromSpec(spec: string): ClientUnderTest {
  const trimmed = spec.trim();
  if (trimmed === 'reference') return referenceClient();
  return driverClient(trimmed, trimmed);
}

/** Quotes an argument for a POSIX shell when it needs it, for replay commands. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
