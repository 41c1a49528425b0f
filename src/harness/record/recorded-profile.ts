import type { TraceEvent } from '../../protocol/index.ts';
import { baselineProfile, comfyuiReleases } from '../../simulator/profiles/index.ts';
import { isRecord, jsonOf, SYSTEM_STATS_PATH } from './recorded-traffic.ts';
import type { PromptTimeline } from './server-timeline.ts';

/**
 * Which ComfyUI the recording was made against, so the replay runs against the same kind of
 * server (issue 16): the version `/system_stats` reported (`system.comfyui_version`), and what the
 * server did: a POST /prompt reply whose `prompt_id` is not the one the client sent means a
 * release that names every prompt itself (before 260a5ca5, i.e. 0.3.44 and older).
 */

export interface RecordedProfile {
  /** The profile name for the scenario's `comfyui`, or undefined for the baseline. */
  name?: string;
  evidence: string[];
}

/** `0.3.44` -> [0, 3, 44]; anything else -> undefined. */
function versionParts(version: string): number[] | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

const compare = (a: number[], b: number[]) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;

/** The newest release profile not newer than `version` (the oldest profile for anything older). */
function profileForVersion(version: string): string | undefined {
  const parts = versionParts(version);
  if (!parts) return undefined;
  const releases = comfyuiReleases
    .map((p) => ({ name: p.name, parts: versionParts(p.comfyuiVersion) }))
    .filter((p): p is { name: string; parts: number[] } => p.parts !== undefined)
    .sort((a, b) => compare(a.parts, b.parts));
  let chosen = releases[0]?.name;
  for (const r of releases) if (compare(r.parts, parts) <= 0) chosen = r.name;
  return chosen;
}

export function recordedProfile(events: readonly TraceEvent[], timelines: readonly PromptTimeline[]): RecordedProfile {
  const evidence: string[] = [];
  let version: string | undefined;
  for (const e of events) {
    if (e.kind !== 'http' || e.method !== 'GET' || e.status !== 200 || !SYSTEM_STATS_PATH.test(e.path)) continue;
    const body = jsonOf(e.response);
    const reported = isRecord(body) && isRecord(body.system) && typeof body.system.comfyui_version === 'string' ? body.system.comfyui_version : undefined;
    if (reported) {
      version = reported;
      evidence.push(`line ${e.seq}: GET /system_stats says comfyui_version ${reported}`);
    }
  }
  const renamed = timelines.filter((p) => p.sentPromptId !== null && p.sentPromptId !== p.promptId);
  const honoured = timelines.filter((p) => p.sentPromptId !== null && p.sentPromptId === p.promptId);
  if (renamed.length) evidence.push(`prompt ${renamed.map((p) => p.index).join(', ')}: the reply's prompt_id is not the one the client sent: the server names prompts itself (ComfyUI before 260a5ca5, 2025-07-14)`);
  if (honoured.length) evidence.push(`prompt ${honoured.map((p) => p.index).join(', ')}: the server kept the prompt_id the client sent`);
  const byVersion = version ? profileForVersion(version) : undefined;
  const oldest = comfyuiReleases.find((p) => p.promptIds === 'always-uuid4')?.name;
  let name = byVersion;
  if (renamed.length && !honoured.length && oldest && name !== oldest) {
    if (version) evidence.push(`the version says ${byVersion ?? version}, the behaviour says a server that names prompts itself: replayed as ${oldest}, whose behaviour it showed`);
    name = oldest;
  } else if (honoured.length && name === oldest) {
    evidence.push(`the version says ${name}, but the server kept the client's prompt_id: replayed on the baseline`);
    name = undefined;
  }
  if (name && version) evidence.push(`replayed as ComfyUI profile ${name}${name !== version ? ` (the closest profile not newer than ${version})` : ''}`);
  if (!name && !version && !renamed.length) {
    evidence.push(
      honoured.length
        ? 'no /system_stats in the recording; a release that keeps the client\'s prompt_id: replayed on the baseline profile'
        : 'the recording does not say which ComfyUI it was (no /system_stats, no prompt_id sent): replayed on the baseline profile',
    );
  }
  // The baseline needs no field: a scenario without `comfyui` runs on it.
  return { ...(name && name !== baselineProfile.name ? { name } : {}), evidence };
}
