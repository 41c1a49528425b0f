/**
 * The report card's names for the bundled clients and relays: a short label and what each stands
 * for, matched on the client's command line. A client it does not know is shown by its command.
 */

/** Known bundled clients: a short name and what they stand for. */
const known: Array<{ match: RegExp; label: string; about: string }> = [
  { match: /^reference$/, label: 'reference client', about: 'this project\'s client that does everything right (src/reference-client)' },
  { match: /naive_driver\.py/, label: 'Python naive', about: 'ComfyUI\'s websockets_api_example.py pattern with websocket-client: one socket, blocking recv(), no reconnect' },
  { match: /robust_driver\.py/, label: 'Python robust', about: 'websocket-client with reconnect (same clientId), resync from /history and /queue, polling, lost detection' },
  {
    match: /comfy-ui-client\/driver\.mjs/,
    label: 'comfy-ui-client 0.1.2',
    about: 'the npm package, unmodified, through its public API (getImages); it keeps only `images` outputs, so the few catalogue jobs that output text fail right-outputs where nothing worse happened',
  },
  { match: /third-party\/comfy-toolkit\//, label: 'comfy-toolkit 0.1.0', about: 'the PyPI package, unmodified, through submit_and_track: WebSocket opened before the POST, /history retries after the end, a /history read on every receive timeout (clients/third-party/comfy-toolkit)' },
  { match: /third-party\/comfyapi\//, label: 'comfyapi 2.0.1', about: 'the PyPI package, unmodified: submit_workflow, then wait_for_finish polls /history every 3 s until an output image exists (clients/third-party/comfyapi)' },
  { match: /third-party\/comfyui-utils\//, label: 'comfyui-utils 0.0.1', about: 'the PyPI package, unmodified: submit() POSTs, then opens its socket; the first executed frame ends the job (clients/third-party/comfyui-utils)' },
  { match: /third-party\/comfyui-workflow-client\//, label: 'comfyui-workflow-client 0.1.0', about: 'the PyPI package, unmodified, its synchronous ComfyUIClient: get_images polls /history every second until the entry has outputs (clients/third-party/comfyui-workflow-client)' },
  { match: /third-party\/saintno-comfyui-sdk\//, label: '@saintno/comfyui-sdk 0.3.1', about: 'the npm package, unmodified, through CallWrapper.run(): a socket re-opened with backoff, a /queue and /history check on every status frame (clients/third-party/saintno-comfyui-sdk)' },
  { match: /third-party\/stable-canvas-comfyui-client\//, label: '@stable-canvas/comfyui-client 1.5.9', about: 'the npm package, unmodified, through Client.enqueue: a socket re-opened 300 ms after each close, never resynced; the first executed frame of the prompt resolves it (clients/third-party/stable-canvas-comfyui-client)' },
  { match: /^reference-socketio$/, label: 'reference relay, Socket.IO', about: 'relay: this project\'s relay built on the reference client (clients/relays/reference), Socket.IO downstream with acknowledged, replayed results' },
  { match: /^reference-stomp$/, label: 'reference relay, STOMP', about: 'relay: the same relay, STOMP downstream through a durable RabbitMQ queue per user (Web-STOMP)' },
  { match: /^spring-stomp$/, label: 'Spring Boot STOMP relay', about: 'relay: Spring Boot 4, one upstream socket opened at start-up, a semaphore released by status frames, simple broker (clients/relays/spring-stomp)' },
  { match: /^flask-socketio$/, label: 'Flask-SocketIO server', about: 'relay: Flask-SocketIO, one upstream socket, every event broadcast to every client, active_tasks on connect (clients/relays/flask-socketio)' },
];

/** `frontend@1.27.10`: the official ComfyUI frontend run in headless Chromium (issue 17). */
const frontend = /^frontend(?:@(\S+))?$/;

/** The card's label of a client (no profile) and what it stands for ('' when unknown). */
export function describeClient(client: string): { label: string; about: string } {
  const front = frontend.exec(client);
  if (front) {
    return {
      label: `ComfyUI frontend ${front[1] ?? '(default version)'}`,
      about: 'the official frontend (comfyui-frontend-package), unmodified, in headless Chromium: each job is queued through its own queue path and judged by what its UI shows',
    };
  }
  return known.find((k) => k.match.test(client)) ?? { label: client, about: '' };
}

/** A report column is a client, or `client @ profile` for a ComfyUI profile other than the baseline. */
export function describeColumn(column: string): { label: string; about: string } {
  const at = / @ ([^ ]+)$/.exec(column);
  const found = describeClient(at ? column.slice(0, at.index) : column);
  return at ? { label: `${found.label} @ ComfyUI ${at[1]}`, about: found.about } : found;
}
