import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BrokerHarnessError } from './errors.ts';
import type { BrokerProvider, StompBroker } from './provider.ts';
import { waitForStompBroker } from './readiness.ts';
import { runScript, tail, type ScriptResult } from './run-script.ts';
import { isExecutable } from '../executable.ts';

/** The script that runs the project's private broker (state in `.tools/rabbitmq/`). */
export const RABBITMQ_SCRIPT = resolve(fileURLToPath(new URL('../../../scripts/rabbitmq.sh', import.meta.url)));

/** Where Debian puts the server scripts when they are not on PATH (root's PATH has /usr/sbin, others may not). */
const RABBITMQ_DIRS = ['/usr/sbin', '/usr/lib/rabbitmq/bin'];

export interface RabbitmqProviderOptions {
  /** Environment for PATH and for the script; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** How long `scripts/rabbitmq.sh start` may take, in ms. Default 90 000 (the script gives up after 60 s). */
  startTimeoutMs?: number;
  /** How long `scripts/rabbitmq.sh stop` may take, in ms. Default 45 000. */
  stopTimeoutMs?: number;
}


/** Finds `rabbitmq-server` (or `rabbitmqctl`) on PATH, in /usr/sbin or in /usr/lib/rabbitmq/bin. */
export function findRabbitmqServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...RABBITMQ_DIRS];
  return ['rabbitmq-server', 'rabbitmqctl'].flatMap((name) => dirs.map((dir) => join(dir, name))).find(isExecutable);
}

/** Reads `STOMP_BROKER_URL=` from the last line and the login lines before it. */
function parseBrokerLines(result: ScriptResult, command: string): { url: string; login: string; passcode: string } {
  const lines = result.stdout.trim().split('\n');
  const url = /^STOMP_BROKER_URL=(wss?:\/\/\S+)$/.exec(lines.at(-1) ?? '')?.[1];
  if (!url) {
    throw new BrokerHarnessError(
      'BROKER_PROVIDER_FAILED',
      `scripts/rabbitmq.sh ${command} did not end with a STOMP_BROKER_URL=ws://... line; its output:\n${tail(result.stdout)}`,
    );
  }
  const value = (name: string) => lines.find((line) => line.startsWith(`${name}=`))?.slice(name.length + 1);
  return { url, login: value('STOMP_LOGIN') ?? 'guest', passcode: value('STOMP_PASSCODE') ?? 'guest' };
}

/**
 * Who uses the private broker right now: a file per acquisition, named `<pid>-<uuid>`. Several
 * processes (vitest workers) share one broker; the one that started it must not stop it under
 * the others, so the last user out stops it (the starter leaves an `orphaned` mark when others remain).
 */
const HOLDERS = resolve(fileURLToPath(new URL('../../../.tools/rabbitmq/holders', import.meta.url)));
const ORPHANED = join(HOLDERS, 'orphaned');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function hold(): string {
  mkdirSync(HOLDERS, { recursive: true });
  const file = join(HOLDERS, `${process.pid}-${randomUUID()}`);
  writeFileSync(file, '');
  return file;
}

/** Lets go of `mine`; true when this was the last live user of the broker (stale entries of dead processes are cleared). */
function release(mine: string): boolean {
  rmSync(mine, { force: true });
  let others = false;
  for (const name of existsSync(HOLDERS) ? readdirSync(HOLDERS) : []) {
    const pid = Number(name.split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (alive(pid)) others = true;
    else rmSync(join(HOLDERS, name), { force: true });
  }
  return !others;
}

/** Whether a broker user should stop it when letting go: its starter, or the last user after the starter left. */
function shouldStop(mine: string, ours: boolean): boolean {
  const last = release(mine);
  if (!last) {
    if (ours) writeFileSync(ORPHANED, '');
    return false;
  }
  const orphaned = existsSync(ORPHANED);
  rmSync(ORPHANED, { force: true });
  return ours || orphaned;
}

// A broker we use must not outlive this process when a test forgets (or never reaches) dispose.
const held = new Map<string, { env: NodeJS.ProcessEnv; ours: boolean }>();
process.once('exit', () => {
  for (const [file, { env, ours }] of held) if (shouldStop(file, ours)) spawnSync(RABBITMQ_SCRIPT, ['stop'], { env, stdio: 'ignore', timeout: 30_000 });
});

/**
 * The project's private RabbitMQ (with Web-STOMP) run by `scripts/rabbitmq.sh` on free loopback
 * ports. A broker that already runs is reused; on dispose the broker is stopped by whoever started
 * it, or, when others still use it then, by the last of them to let go. A broker started by hand
 * (`scripts/rabbitmq.sh start`) is left running.
 */
export function rabbitmqProvider(options: RabbitmqProviderOptions = {}): BrokerProvider {
  const env = options.env ?? process.env;
  return {
    kind: 'rabbitmq',
    async start() {
      if (!findRabbitmqServer(env)) {
        return { available: false, reason: `rabbitmq-server is not installed (looked on PATH and in ${RABBITMQ_DIRS.join(', ')})` };
      }
      // scripts/ is not in the npm package: there the broker must come from STOMP_BROKER_URL.
      if (!existsSync(RABBITMQ_SCRIPT)) return { available: false, reason: 'comfy-chaos starts a private RabbitMQ only in a checkout of its repository; an installed package uses STOMP_BROKER_URL' };
      const status = await runScript(RABBITMQ_SCRIPT, ['status'], 20_000, env);
      const running = status.code === 0;
      if (!running && status.code !== 3) {
        throw new BrokerHarnessError('BROKER_PROVIDER_FAILED', `scripts/rabbitmq.sh status failed (exit ${status.code ?? 'killed'}):\n${tail(status.stderr + status.stdout)}`);
      }
      const result = running ? status : await runScript(RABBITMQ_SCRIPT, ['start'], options.startTimeoutMs ?? 90_000, env);
      if (result.code !== 0) {
        const why = result.timedOut ? `did not finish within ${options.startTimeoutMs ?? 90_000} ms` : `failed (exit ${result.code ?? 'killed'})`;
        await runScript(RABBITMQ_SCRIPT, ['stop'], options.stopTimeoutMs ?? 45_000, env).catch(() => undefined);
        throw new BrokerHarnessError(
          'BROKER_PROVIDER_FAILED',
          `scripts/rabbitmq.sh start ${why}; logs are in .tools/rabbitmq/log; its output:\n${tail(result.stderr + result.stdout)}`,
        );
      }
      // Two processes may race to start it: the loser's script reports the winner's broker.
      const ours = !running && !/^rabbitmq: already running/m.test(result.stdout);
      const { url, login, passcode } = parseBrokerLines(result, running ? 'status' : 'start');
      let disposed: Promise<void> | undefined;
      const holder = hold();
      held.set(holder, { env, ours });
      const stop = async () => {
        held.delete(holder);
        if (!shouldStop(holder, ours)) return;
        const stopped = await runScript(RABBITMQ_SCRIPT, ['stop'], options.stopTimeoutMs ?? 45_000, env);
        if (stopped.code !== 0) {
          throw new BrokerHarnessError('BROKER_PROVIDER_FAILED', `scripts/rabbitmq.sh stop failed (exit ${stopped.code ?? 'killed'}):\n${tail(stopped.stderr + stopped.stdout)}`);
        }
      };
      const broker: StompBroker = { kind: 'rabbitmq', url, login, passcode, dispose: () => (disposed ??= stop()) };
      try {
        await waitForStompBroker(url, login, passcode, 10_000);
      } catch (error) {
        await broker.dispose().catch(() => undefined);
        throw new BrokerHarnessError('BROKER_PROVIDER_FAILED', `scripts/rabbitmq.sh reported ${url}, but ${(error as Error).message}; see .tools/rabbitmq/log, run scripts/rabbitmq.sh stop and retry`, { cause: error });
      }
      return { available: true, broker };
    },
  };
}
