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
  '0.3.44 sends no `progress_state`: in 4.12\'s 600 ms window fewer than the 2 KB of `limit_data` pass, so the cut never comes: the run tests nothing and is `inconclusive` (the oracle reads "no socket cut" from the trace since 2026-12-02; the first run of the card counted it a pass)';
const progressPassedOn = (where: string) =>
  `Reports 4/8, then 3/8: it passes every \`progress\` frame on as it comes, with no check that the value grows (${where})`;

export const versionNotes: readonly VersionNote[] = [
  {
    client: NAIVE,
    scenarios: ['1.7', '1.8', '1.9', '1.10', '1.11', '1.12', '1.13', '3.2', '3.6', '3.10', '4.1', '4.2', '4.3', '4.4', '5.4', '5.9', '6.1', '6.13', '7.4', '7.6'],
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
    cause: 'Each passes when replayed alone on the profile where it failed',
    why:
      'under load it was not back within the scenario\'s 5 s recovery bound: in 2.11 and 4.5 its re-opened socket died and no further attempt came (a reconnect socket still CONNECTING when the 1 s check fires counts as reconnected, src/client.ts:974-991, and its close starts no reconnect, client.ts:1038-1039: a real weakness, its README); in 4.7, 4.8 and 5.2 it has to notice the dead socket (`wsTimeout`, client.ts:1133-1141) or wait out its backoff (1, 2, 4 s, unseeded jitter) while the server restarts, and whether it would have come back after the bound was not traced; 2.10 was 0.7 s over its 3 s latency bound (degraded)',
  },
  {
    client: STABLE,
    scenarios: ['5.2', '6.3'],
    kind: 'noise',
    cause: 'Passes when replayed alone on 0.3.64 and current, fails under load on any profile',
    why:
      'it re-opens a closed socket 300 ms later and never asks `/history` (src/client/WsClient.ts:416-420): whether the new socket is up before the restarted server sends the end of the job is timing, and when it is not the completion is lost (a real weakness, its README)',
  },
  {
    client: UTILS,
    scenarios: ['2.1'],
    kind: 'noise',
    cause: 'Fails when replayed alone on 0.3.64, as on 0.3.44 and current; inconclusive under load',
    why:
      'it POSTs, then opens its socket (comfyui_utils/comfy.py:140-154, 85): on a loaded machine the prompt started before the socket was open, so the fault of 2.1 (terminate when the prompt starts) reached no socket and the harness said, rightly, that nothing was tested',
  },
  {
    client: SAINTNO,
    scenarios: ['6.6'],
    kind: 'noise',
    cause: 'Passes when replayed alone on 0.3.64 and current',
    why:
      'its `status` check calls every history entry that is not `completed` missing (src/call-wrapper.ts:210-238): when the `status` frame beats `execution_interrupted`, the cancelled job is reported lost, not interrupted; which comes first is timing (its README\'s first weak point)',
  },
  {
    client: SAINTNO,
    scenarios: ['7.1'],
    kind: 'noise',
    cause: 'Passes when replayed alone on 0.3.64',
    why:
      'in the card run it opened no new socket after the stall before the run ended (5 s after the server finished); its silence check runs every `wsTimeout / 2` (750 ms here, src/client.ts:1133-1141) and then reconnects as above; why it did not that time was not traced further',
  },
  {
    client: SAINTNO,
    scenarios: ['7.14'],
    kind: 'noise',
    cause: 'Fails when replayed alone on 0.3.44 too, as on 0.3.64 and current; the pass on 0.3.44 was timing',
    why:
      'every job\'s `onProgress` hears every prompt\'s `progress` frames (src/call-wrapper.ts:478-484 checks the prompt id only to call `onStart`), so with three jobs on one socket a job shows another\'s progress, 5/5 then 2/5, whenever their steps interleave',
  },
  {
    client: TOOLKIT,
    scenarios: ['6.5'],
    kind: 'noise',
    cause: 'Passes when replayed alone on 0.3.44 and 0.3.64',
    why:
      'its cancel is a global `POST /interrupt {}` (comfy_toolkit/client.py:195-197), which stops whichever job runs; each job is submitted from its own thread after opening its own socket, so when j2 reaches the server first the interrupt hits j2, as the scenario wants, and otherwise j1 (every profile alike)',
  },
  {
    client: /third-party\/comfyapi\//,
    scenarios: ['6.1'],
    kind: 'noise',
    cause: 'Passes when replayed alone on 0.3.64',
    why: 'it polls `/history` every 3 s (comfyapi/client.py:238), so a completion is seen up to 3 s late, and the latency bound of 6.1 is 3 s: a few ms of load decide degraded or pass',
  },
];
