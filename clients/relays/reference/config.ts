/** The relay's environment (docs/relays.md, "What the harness gives a relay process"), checked up front. */
export interface RelayConfig {
  comfyUrl: string;
  port: number;
  refundUrl: string | undefined;
  stomp: { brokerUrl: string; login: string | undefined; passcode: string | undefined } | undefined;
  /** Timing options for the reference client from the scenario's hints (`COMFY_CHAOS_HINTS`, JSON, ms), as drivers get them. */
  clientTimings: Partial<Record<(typeof TIMING_HINTS)[number], number>>;
}

/** The hints the relay passes on to its reference client. */
const TIMING_HINTS = ['healthTimeoutMs', 'pollIntervalMs', 'reconnectCapMs', 'jobTimeoutMs', 'requestTimeoutMs'] as const;

function readTimings(text: string | undefined, problems: string[]): RelayConfig['clientTimings'] {
  if (!text?.trim()) return {};
  let hints: unknown;
  try {
    hints = JSON.parse(text);
  } catch {
    problems.push(`COMFY_CHAOS_HINTS must be a JSON object, got "${text.slice(0, 80)}"`);
    return {};
  }
  const out: RelayConfig['clientTimings'] = {};
  for (const name of TIMING_HINTS) {
    const v = (hints as Record<string, unknown> | null)?.[name];
    if (typeof v === 'number' && v > 0) out[name] = v;
  }
  return out;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readConfig(env: Record<string, string | undefined>): RelayConfig {
  const problems: string[] = [];
  const comfyUrl = env.COMFY_URL?.trim();
  if (!comfyUrl) problems.push('COMFY_URL is not set: give the ComfyUI base URL, e.g. COMFY_URL=http://127.0.0.1:8188');
  else if (!isUrl(comfyUrl, ['http:', 'https:'])) problems.push(`COMFY_URL must be an http(s) URL, got "${comfyUrl}"`);
  const portText = env.PORT?.trim();
  const port = Number(portText);
  if (!portText) problems.push('PORT is not set: give the port to listen on (127.0.0.1), e.g. PORT=8080');
  else if (!/^\d+$/.test(portText) || port > 65535) problems.push(`PORT must be an integer 0-65535, got "${portText}"`);
  const refundUrl = env.REFUND_URL?.trim() || undefined;
  if (refundUrl && !isUrl(refundUrl, ['http:', 'https:'])) problems.push(`REFUND_URL must be an http(s) URL, got "${refundUrl}"`);
  const brokerUrl = env.STOMP_BROKER_URL?.trim() || undefined;
  if (brokerUrl && !isUrl(brokerUrl, ['ws:', 'wss:'])) problems.push(`STOMP_BROKER_URL must be a ws(s) URL, got "${brokerUrl}"`);
  const clientTimings = readTimings(env.COMFY_CHAOS_HINTS, problems);
  if (problems.length > 0) throw new ConfigError(problems.join('\n'));
  return {
    comfyUrl: comfyUrl!.replace(/\/+$/, ''),
    port,
    refundUrl,
    clientTimings,
    stomp: brokerUrl ? { brokerUrl, login: env.STOMP_LOGIN || undefined, passcode: env.STOMP_PASSCODE || undefined } : undefined,
  };
}

function isUrl(text: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(text).protocol);
  } catch {
    return false;
  }
}
