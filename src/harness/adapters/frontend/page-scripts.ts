/**
 * What the harness runs inside the frontend's page, as plain JavaScript text (not functions: a
 * TypeScript function's compiled text may call helpers that do not exist in the page). Each reads
 * the frontend's own Pinia stores, the ones its UI renders, through the Vue app on `#vue-app`
 * (both 1.27.10 and 1.58.1 mount there: src/main.ts `app.mount('#vue-app')`):
 *
 * - `execution`: `nodeLocationProgressStates`, the per-node progress the canvas draws on each node
 *   (1.27.10 src/components/graph/GraphCanvas.vue:290-303 sets `node.progress = value / max` for a
 *   node whose state is `running`; 1.58.1 src/components/graph/nodeProgressCanvasSync.ts:23-43);
 * - `queue`: `historyTasks`, what the queue sidebar (1.27.10 QueueSidebarTab.vue) and the job
 *   history / assets panel (1.58.1 JobHistorySidebarTab.vue) list, each a TaskItemImpl whose
 *   `displayStatus` is Completed, Failed or Cancelled (1.27.10 src/stores/queueStore.ts
 *   `displayStatus`; 1.58.1 src/stores/queueStore.ts:167-180) and whose `outputs` are what the
 *   entry shows (1.58.1: the job list's `preview_output` only, queueStore.ts:57-66).
 *
 * The watcher reports through the page binding `__comfyChaosReport`; it adds no polling and no
 * retry of its own: it reacts to the stores' own changes (`$subscribe`, and `$onAction` after the
 * store's `update`, which the frontend itself calls on `status` and `execution_success`:
 * 1.27.10 src/views/GraphView.vue:189-193).
 */

/** Reports the page sends, before the session maps prompt ids to the harness's job ids. */
export type PageReport =
  | { kind: 'progress'; promptId: string; node: string; value: number; max: number }
  | { kind: 'completed'; promptId: string; outputs: Record<string, unknown> }
  | { kind: 'failed'; promptId: string; reason: 'error' | 'interrupted'; error: string }
  | { kind: 'log'; message: string };

export const REPORT_BINDING = '__comfyChaosReport';

const STORES = `
  const vueApp = document.querySelector('#vue-app') && document.querySelector('#vue-app').__vue_app__;
  const pinia = vueApp && vueApp.config.globalProperties.$pinia;
  const store = (id) => {
    const found = pinia && pinia._s.get(id);
    if (!found) throw new Error('the frontend has no "' + id + '" store on #vue-app');
    return found;
  };
  const idOf = (task) => (task.promptId !== undefined ? task.promptId : task.jobId);
`;

/** True once the app with its default graph, the stores the watcher reads and an open socket are there. */
export const READY_CHECK = `(() => {
  try {
    ${STORES}
    store('execution'); store('queue'); store('command');
    const api = window.comfyAPI && window.comfyAPI.api && window.comfyAPI.api.api;
    // The default graph on the canvas: node definitions are registered (loadApiJson needs them).
    const graphLoaded = Boolean(window.app && window.app.graph && window.app.graph.nodes && window.app.graph.nodes.length > 0);
    return graphLoaded && Boolean(api && api.socket && api.socket.readyState === 1);
  } catch (e) {
    return false;
  }
})()`;

/** Installs the watcher once; returns 'installed'. */
export const WATCH_SCRIPT = `(() => {
  ${STORES}
  const send = (report) => { try { window.${REPORT_BINDING}(report); } catch (e) {} };
  const guard = (what, work) => () => {
    try { work(); } catch (e) { send({ kind: 'log', message: 'comfy-chaos watcher (' + what + '): ' + (e && e.message) }); }
  };
  const execution = store('execution');
  const queue = store('queue');
  const shownProgress = new Map();
  const onExecution = guard('progress', () => {
    const states = execution.nodeLocationProgressStates || {};
    for (const state of Object.values(states)) {
      if (!state || state.state !== 'running' || !state.prompt_id) continue;
      const node = String(state.display_node_id != null ? state.display_node_id : state.node_id);
      const key = state.prompt_id + ' ' + node;
      const shown = state.value + '/' + state.max;
      if (shownProgress.get(key) === shown) continue;
      shownProgress.set(key, shown);
      send({ kind: 'progress', promptId: String(state.prompt_id), node, value: Number(state.value), max: Number(state.max) });
    }
  });
  const settled = new Set();
  const errorOf = (task) => {
    if (typeof task.errorMessage === 'string') return task.errorMessage;
    const message = (task.messages || []).find((m) => m[0] === 'execution_error');
    return message && message[1] ? String(message[1].exception_message || 'execution error') : 'failed';
  };
  const onQueue = guard('queue', () => {
    for (const task of queue.historyTasks || []) {
      const promptId = idOf(task);
      if (promptId == null || settled.has(String(promptId))) continue;
      const status = task.displayStatus;
      if (status === 'Completed') {
        settled.add(String(promptId));
        send({ kind: 'completed', promptId: String(promptId), outputs: JSON.parse(JSON.stringify(task.outputs || {})) });
      } else if (status === 'Failed') {
        settled.add(String(promptId));
        send({ kind: 'failed', promptId: String(promptId), reason: 'error', error: errorOf(task) });
      } else if (status === 'Cancelled') {
        settled.add(String(promptId));
        send({ kind: 'failed', promptId: String(promptId), reason: 'interrupted', error: 'cancelled' });
      }
    }
  });
  execution.$subscribe(onExecution, { detached: true });
  queue.$subscribe(onQueue, { detached: true });
  queue.$onAction(({ name, after }) => { if (name === 'update') after(onQueue); }, true);
  onExecution();
  onQueue();
  return 'installed';
})()`;

/**
 * Loads an API-format prompt as the frontend loads an API-format file (app.loadApiJson: 1.27.10
 * src/scripts/app.ts:1585, 1.58.1 src/scripts/app.ts:2393) and queues it as the Run button does
 * (the command Comfy.QueuePrompt: 1.27.10 src/composables/useCoreCommands.ts:397-405, 1.58.1
 * :521-538). Resolves when the command has (the POST /prompt answered, or failed and the
 * frontend showed its error dialog: 1.27.10 app.ts queuePrompt's catch).
 */
export const SUBMIT_SCRIPT = `async ([prompt, name]) => {
  ${STORES}
  await window.app.loadApiJson(prompt, name);
  await store('command').execute('Comfy.QueuePrompt');
  return 'queued';
}`;

/**
 * Cancels a job as the queue sidebar's cancel button does; 'removed' when its entry then left the
 * sidebar without a history entry (a pending job deleted from the queue: all the user sees of it). 1.27.10 (QueueSidebarTab.vue:160
 * removeTask): a running task is interrupted (`api.interrupt(promptId)`), then the task is deleted
 * from the queue (`queueStore.delete`: POST /queue {delete}). 1.58.1 (useJobMenu.ts:75-88
 * cancelJob, from JobHistorySidebarTab.vue:219): POST /jobs/{id}/cancel for a running or pending
 * job, then the store's update. A job the sidebar does not list cannot be cancelled by a user:
 * the script waits (at most 5 s) for the store's own updates to list it, else 'not-listed'.
 */
export const CANCEL_SCRIPT = `async (promptId) => {
  ${STORES}
  const queue = store('queue');
  const execution = store('execution');
  const api = window.comfyAPI.api.api;
  const find = () => [...(queue.runningTasks || []), ...(queue.pendingTasks || [])].find((t) => String(idOf(t)) === promptId);
  // A user clicks once the entry is listed: wait for the store's own next updates (at most 5 s).
  const task = find() || (await new Promise((resolve) => {
    let stop = () => {};
    const timer = setTimeout(() => { stop(); resolve(undefined); }, 5000);
    stop = queue.$onAction(({ name, after }) => {
      if (name !== 'update') return;
      after(() => { const t = find(); if (t) { clearTimeout(timer); stop(); resolve(t); } });
    }, true);
  }));
  if (!task) return 'not-listed';
  // The entry left the sidebar with no history entry: what the user sees of a cancelled pending job.
  const gone = () => !find() && !(queue.historyTasks || []).some((t) => String(idOf(t)) === promptId);
  if (typeof api.cancelJob === 'function' && task.jobId !== undefined) {
    await api.cancelJob(task.jobId);
    if (typeof execution.clearInitializationByJobId === 'function') execution.clearInitializationByJobId(task.jobId);
    await queue.update();
    return gone() ? 'removed' : 'cancelJob';
  }
  const running = task.isRunning;
  if (running) await api.interrupt(task.promptId);
  await queue.delete(task);
  return running ? 'interrupt+delete' : gone() ? 'removed' : 'delete';
}`;
