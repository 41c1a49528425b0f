import { z } from 'zod';

/**
 * A ComfyUI version profile: how one release (or a ComfyUI-compatible front) differs from the
 * baseline the simulator speaks, 0.3.64 (design.md, "Server profiles"). A profile is data, like a
 * fault: the simulator reads it at the few places where releases differ. Every field defaults to
 * the baseline, so a profile states only its differences; each difference is a row of the version
 * table in docs/comfyui-protocol.md, with the commit or source it comes from.
 */
export const comfyuiProfile = z.strictObject({
  /** What `--comfyui` and a scenario's `comfyui:` call it, e.g. `0.3.44`. */
  name: z.string().regex(/^[a-z0-9][a-z0-9.+-]*$/, 'a profile name is lower-case letters, digits, ".", "+" and "-", e.g. "0.3.44"'),
  /** One line for `--help`, reports and the protocol page. */
  summary: z.string().min(1),
  /** What `/system_stats` reports as `comfyui_version`. */
  comfyuiVersion: z.string().min(1),
  /**
   * Whose prompt id a prompt gets:
   * - `client-or-uuid4` (0.3.64): the body's `prompt_id` if it is a string, without any check; else a uuid4;
   * - `always-uuid4` (before commit 260a5ca5, 2025-07-14): a fresh uuid4 whatever the client sent;
   * - `canonical-uuid` (current): the body's `prompt_id` only in canonical lowercase hyphenated UUID
   *   form (400 `invalid_prompt_id` otherwise, 409 when it is already queued); absent or null: a uuid4.
   */
  promptIds: z.enum(['client-or-uuid4', 'always-uuid4', 'canonical-uuid']).default('client-or-uuid4'),
  /**
   * The server's `feature_flags` reply and `GET /features` body; `null` when the release has no
   * negotiation (no reply to a client's `feature_flags`, 404 on `/features`, and so previews are
   * always binary type 1). [default 0.3.64's `{supports_preview_metadata: true, max_upload_size: 104857600}`]
   */
  featureFlags: z.record(z.string(), z.unknown()).nullable().default({ supports_preview_metadata: true, max_upload_size: 104_857_600 }),
  /** `progress_state` frames are sent [default true]. */
  progressState: z.boolean().default(true),
  /** `POST /interrupt {"prompt_id"}` interrupts only that prompt; false: the body is ignored and every interrupt is global [default true]. */
  targetedInterrupt: z.boolean().default(true),
  /** Accepted prompts get `extra_data.create_time` (epoch ms), seen in `/queue` and `/history` [default false]. */
  queueCreateTime: z.boolean().default(false),
  /** `GET /api/jobs`, `/api/jobs/{id}` and `POST /api/jobs/{id}/cancel` exist (under `/api` only) [default false]. */
  jobsApi: z.boolean().default(false),
  /** Changes to `GET /system_stats`'s `system` object: keys removed, keys set. */
  systemStats: z
    .strictObject({
      omit: z.array(z.string()).default([]),
      set: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ omit: [], set: {} }),
  /**
   * A front in front of ComfyUI (a reverse proxy, a gateway): every path is served under `prefix`
   * (e.g. `/comfyui`), and with `apiOnly` only the `/api/...` form of each route reaches ComfyUI
   * (the bare form gets the front's 404). Clients are then given `<origin><prefix>[/api]` as base URL.
   * With `tls` the front speaks TLS only (a TLS-terminating proxy, or ComfyUI's own `--tls-keyfile`):
   * clients get an `https://` base URL and must open `wss://` sockets; plain HTTP to that port fails.
   */
  front: z
    .strictObject({
      prefix: z.string().regex(/^(\/[A-Za-z0-9._~-]+)*$/, 'a path prefix is "" or "/segment[/segment...]", e.g. "/comfyui"').default(''),
      apiOnly: z.boolean().default(false),
      tls: z.boolean().default(false),
    })
    .default({ prefix: '', apiOnly: false, tls: false }),
  /** Where the facts of this profile come from (commits, pages, runs), for reports. */
  sources: z.array(z.string()).default([]),
});
export type ComfyuiProfile = z.infer<typeof comfyuiProfile>;
export type ComfyuiProfileInput = z.input<typeof comfyuiProfile>;

/** The URL scheme clients use to reach the profile's front: `https` behind TLS, else `http` (sockets: `wss`/`ws`). */
export function clientScheme(profile: Pick<ComfyuiProfile, 'front'>): 'http' | 'https' {
  return profile.front.tls ? 'https' : 'http';
}

/** The path a client should put after the server's origin to reach ComfyUI through the profile's front. */
export function clientBasePath(profile: Pick<ComfyuiProfile, 'front'>): string {
  return `${profile.front.prefix}${profile.front.apiOnly ? '/api' : ''}`;
}
