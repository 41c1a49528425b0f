/**
 * Why a bundled client's verdict changes between ComfyUI profiles: one note per cause and client,
 * each confirmed by replaying the scenario alone on that profile (a flip that did not reproduce is
 * a `noise` note, with why it flipped). The client's file and line are from the installed package
 * (clients/third-party/<x>/node_modules, or .tools/venv's site-packages; the two minified npm
 * builds are cited by the TypeScript source their source maps carry). A difference of the card
 * that no note explains is listed as "Not yet explained".
 */
import type { VersionNote } from './version-changes.ts';

const NAIVE = /clients\/python\/naive_driver\.py/;
const TOOLKIT = /third-party\/comfy-toolkit\//;
const UTILS = /third-party\/comfyui-utils\//;
const SAINTNO = /third-party\/saintno-comfyui-sdk\//;
const STABLE = /third-party\/stable-canvas-comfyui-client\//;
const COMFY_UI_CLIENT = /comfy-ui-client\/driver\.mjs/;

const promptIds = '0.3.44 makes its own prompt id and ignores the one the client sent (every release before 260a5ca5, 2025-07-14)';
const lateProgress =
  '0.3.44 sends no `progress_state`: the late progress frame of 1.12 arrives after the next `progress` frame (on 0.3.64 and current it arrives after a `progress_state` frame, so no step goes backwards there)';
const fewerBytes =
  '0.3.44 sends no `progress_state`: in 4.12\'s 600 ms window fewer than the 2 KB of `limit_data` pass, so the cut never comes and the pass on 0.3.44 tested nothing';
const progressPassedOn = (where: string) =>
  `Reports 4/8, then 3/8: it passes every \`progress\` frame on as it comes, with no check that the value grows (${where})`;

export const versionNotes: readonly VersionNote[] = [
  {
    client: NAIVE,
    scenarios: ['1.7', '1.8', '1.9', '1.10', '1.11', '1.12', '1.13', '3.2', '3.6', '3.10', '4.1', '4.2', '4.3', '4.4'],
    profile: '0.3.44',
    kind: 'client',
    cause: promptIds,
    why:
      'It makes a uuid4, sends it as `prompt_id` and drops the reply (clients/python/naive_driver.py:73-76, the pattern of ComfyUI\'s script_examples/websockets_api_example.py), then waits for `executing {node: null}` of that id (naive_driver.py:116-119), which never comes: every job it completes on 0.3.64 hangs (no-hang) on 0.3.44',
  },
  { client: TOOLKIT, scenarios: ['1.12'], profile: '0.3.44', kind: 'client', cause: lateProgress, why: progressPassedOn('comfy_toolkit/tracking.py:187-194') },
  { client: UTILS, scenarios: ['1.12'], profile: '0.3.44', kind: 'client', cause: lateProgress, why: progressPassedOn('comfyui_utils/comfy.py:113-116') },
  { client: SAINTNO, scenarios: ['1.12'], profile: '0.3.44', kind: 'client', cause: lateProgress, why: progressPassedOn('src/call-wrapper.ts:478-484, `handleProgress`') },
  { client: STABLE, scenarios: ['1.12'], profile: '0.3.44', kind: 'client', cause: lateProgress, why: progressPassedOn('src/client/Client.ts:868-880, `on_progress` filters by prompt id only') },
  {
    client: UTILS,
    scenarios: ['4.12'],
    profile: '0.3.44',
    kind: 'client',
    cause: fewerBytes,
    why: 'Where the cut comes (0.3.64, current) it fails the job as disconnected: one socket per job, no reconnect (comfyui_utils/comfy.py:85-91)',
  },
  {
    client: COMFY_UI_CLIENT,
    scenarios: ['4.12'],
    profile: '0.3.44',
    kind: 'client',
    cause: fewerBytes,
    why: 'Where the cut comes (0.3.64, current) the job is lost: the package never re-opens a closed socket (its README row: "never reconnects")',
  },
  {
    client: SAINTNO,
    scenarios: ['2.10', '2.11', '4.5', '4.7', '4.8', '5.2'],
    kind: 'noise',
    cause: 'Each passes when replayed alone on that profile',
    why:
      'its reconnect loop counts a socket that is still CONNECTING when its check fires (1 s, then 2 s, 4 s, with unseeded Math.random jitter) as reconnected (src/client.ts:974-991), and a re-opened socket\'s close never reconnects (client.ts:1038-1039): on a loaded machine a slow connect leaves it on a dead socket and the job is lost (a real weakness, its README), or reported late (2.10, degraded)',
  },
];
