import { minimalCapabilities, type DriverCapabilities } from '../../protocol/index.ts';
import type { Scenario } from '../../scenarios/scenario.ts';

/**
 * What a scenario needs of its client (issue 12, point 8): as many servers as it runs, as many
 * windows as its jobs name, `cancel` when a job is cancelled, and whatever it `requires`.
 */
export function requiredCapabilities(scenario: Pick<Scenario, 'servers' | 'jobs' | 'requires'>): DriverCapabilities {
  const needs: DriverCapabilities = { ...scenario.requires };
  if (scenario.servers > 1) needs.servers = Math.max(scenario.servers, Number(needs.servers ?? 0));
  const windows = new Set(scenario.jobs.map((j) => j.window)).size;
  if (windows > 1) needs.windows = Math.max(windows, Number(needs.windows ?? 0));
  if (scenario.jobs.some((j) => j.cancelAtMs !== undefined)) needs.cancel = true;
  return needs;
}

const why: Record<string, (n: unknown) => string> = {
  servers: (n) => `${String(n)} servers (a pool, in COMFY_URLS)`,
  windows: (n) => `${String(n)} windows (separate sessions)`,
  cancel: () => 'cancel',
};

/**
 * Why a client that declares `declared` cannot run a scenario that needs `required`, or undefined
 * when it can. A number is met by one at least as large, `true` by `true`; what a client does
 * not declare takes the minimal value (one server, one window, no cancel).
 */
export function missingCapability(required: DriverCapabilities, declared: DriverCapabilities | undefined): string | undefined {
  const has: Record<string, unknown> = { ...minimalCapabilities, ...declared };
  const missing: string[] = [];
  for (const [name, need] of Object.entries(required)) {
    const got = has[name];
    const met = typeof need === 'number' ? typeof got === 'number' && got >= need : need === true ? got === true : true;
    if (!met) missing.push(`${(why[name] ?? ((n: unknown) => `${name}: ${JSON.stringify(n)}`))(need)} (it declares ${name}: ${JSON.stringify(got ?? null)})`);
  }
  if (!missing.length) return undefined;
  return `needs ${missing.join(' and ')}; a client that can declares it in its ready event, e.g. {"type":"ready","capabilities":${JSON.stringify(required)}} (docs/write-a-driver.md, "Capabilities")`;
}
