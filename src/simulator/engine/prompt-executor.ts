import type { ApiPrompt, Clock, NodeOutput } from '../../protocol/index.ts';
import { encodeBinaryFrame } from '../../protocol/index.ts';
import { TINY_JPEG } from '../files/png.ts';
import { isLink, planExecution } from '../nodes/execution-order.ts';
import type { ServerEvent } from '../faults/fault-injector.ts';
import type { NodeBehaviour, NodeRunContext } from './node-behaviour.ts';
import type { NodeCatalogue } from '../nodes/catalogue.ts';
import type { NodeCache } from './node-cache.ts';
import { nodeSignatures } from './node-cache.ts';
import { describeException, executionErrorData, type PromptProgress } from './prompt-failure.ts';
import type { QueuedPrompt } from './prompt-queue.ts';
import type { ResolvedTiming } from './timing.ts';

/** How a prompt ended on the server. */
export type PromptOutcome =
  | { status: 'success'; outputs: Record<string, NodeOutput>; messages: Array<[string, Record<string, unknown>]> }
  | { status: 'error' | 'interrupted'; messages: Array<[string, Record<string, unknown>]> }
  /** A restart killed the process mid-prompt: nothing more is sent, nothing is written. */
  | { status: 'aborted' };

export interface ExecutorHost {
  clock: Clock;
  timing: ResolvedTiming;
  cache: NodeCache;
  behaviourOf(classType: string): NodeBehaviour;
  /** Which classes are output nodes, for the order nodes run in [default the built-in catalogue]. */
  catalogue?: NodeCatalogue;
  /** Sends a message to the prompt's client (`sid`), or broadcasts when `sid` is null; `text`, when given, is the exact frame (a recorded one). */
  emit(message: { type: string; data: Record<string, unknown> }, sid: string | null, text?: string): void;
  emitBinary(bytes: Uint8Array, sid: string | null): void;
  /** The flags the sid's socket negotiated, if it is connected. */
  flagsOf(sid: string): Record<string, unknown> | null;
  /** True when an interrupt for this prompt is pending. */
  interruptRequested(): boolean;
  /** True while the process that started this prompt is alive. */
  alive(): boolean;
  /** Send a preview per sampler step. */
  previews: boolean;
  /** The release sends `progress_state` (a profile without it predates them). */
  progressState: boolean;
  /** The server offers `supports_preview_metadata`: type-4 previews for clients that negotiated it. */
  previewMetadata: boolean;
  saveImage: NodeRunContext['saveImage'];
  /** The node currently executing, for the reconnect replay. */
  setCurrentNode(nodeId: string | null): void;
  /** An error of the simulator's own caught while running a prompt: the trace's `internal_error`. */
  reportInternalError(where: string, error: unknown): void;
  /** A phase of the prompt (node started/finished, prompt finished), for the fault triggers. */
  phase(event: ServerEvent): void;
}

class Aborted extends Error {}
class Interrupted extends Error {
  constructor(readonly nodeId: string) {
    super('interrupted');
  }
}

/**
 * Runs one prompt with ComfyUI's message pattern (comfyui-protocol.md §2 and §7): start, cached,
 * per node `progress_state` running -> `executing` -> steps -> `executed` -> `progress_state`
 * finished, and the terminal `execution_*` message. Status, history and `executing {node:null}`
 * are the caller's, because their order relative to history is what faults play with.
 */
async function runPrompt(host: ExecutorHost, item: QueuedPrompt, progress: PromptProgress): Promise<PromptOutcome> {
  const { clock, timing } = host;
  const promptId = item.promptId;
  const clientId = typeof item.extraData.client_id === 'string' ? (item.extraData.client_id as string) : null;
  const hasClient = clientId !== null;
  const messages = progress.messages;
  const toClient = (type: string, data: Record<string, unknown>, history = false) => {
    if (history) messages.push([type, data]);
    if (hasClient) host.emit({ type, data }, clientId);
  };
  const progressTarget = hasClient ? clientId : null;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      clock.setTimeout(resolve, ms);
    });
  const checkAlive = () => {
    if (!host.alive()) throw new Aborted();
  };
  const promptIndex = item.index;
  /** Tells the fault triggers; a fault of that moment may have killed the process (a restart). */
  const phase = (event: ServerEvent) => {
    host.phase(event);
    checkAlive();
  };
  const nodePhase = (event: 'started' | 'finished', nodeId: string, outputNode: boolean) =>
    phase({ kind: 'node', event, promptIndex, nodeId, outputNode });

  const { order, stuck } = planExecution(item.prompt, item.outputsToExecute, host.catalogue);
  const signatures = nodeSignatures(item.prompt);
  const cached = order.filter((id) => host.cache.has(signatures.get(id)!));
  const nextCache = new Map<string, NodeOutput | null>();
  const outputs: Record<string, NodeOutput> = {};
  const executed = progress.executed;
  const states: Record<string, Record<string, unknown>> = {};
  const progressState = (nodeId: string, value: number, max: number, state: 'running' | 'finished') => {
    if (!host.progressState) return;
    states[nodeId] = {
      value,
      max,
      state,
      node_id: nodeId,
      prompt_id: promptId,
      display_node_id: nodeId,
      parent_node_id: null,
      real_node_id: nodeId,
    };
    host.emit({ type: 'progress_state', data: { prompt_id: promptId, nodes: { ...states } } }, progressTarget);
  };

  try {
    checkAlive();
    toClient('execution_start', { prompt_id: promptId, timestamp: clock.now() }, true);
    toClient('execution_cached', { nodes: cached, prompt_id: promptId, timestamp: clock.now() }, true);
    for (const nodeId of order) {
      const node = item.prompt[nodeId]!;
      progress.nodeId = nodeId;
      const behaviour = host.behaviourOf(node.class_type);
      const signature = signatures.get(nodeId)!;
      if (cached.includes(nodeId)) {
        const ui = host.cache.ui(signature);
        nextCache.set(signature, ui);
        executed.push(nodeId);
        if (behaviour.isOutput) {
          if (ui) outputs[nodeId] = ui;
          nodePhase('finished', nodeId, true);
          toClient('executed', { node: nodeId, display_node: nodeId, output: ui, prompt_id: promptId });
          progressState(nodeId, 1, 1, 'finished');
        }
        continue;
      }
      if (host.interruptRequested()) throw new Interrupted(nodeId);
      nodePhase('started', nodeId, behaviour.isOutput);
      progressState(nodeId, 0, 1, 'running');
      host.setCurrentNode(nodeId);
      toClient('executing', { node: nodeId, display_node: nodeId, prompt_id: promptId });
      const planned = behaviour.timing(node);
      const steps = planned.steps;
      const stepMs = timing.stepMs ?? planned.stepMs;
      const setupMs = timing.nodeMs[node.class_type] ?? planned.setupMs;
      if (setupMs > 0) await sleep(setupMs);
      checkAlive();
      const sid = clientId;
      for (let k = 1; k <= steps; k++) {
        await sleep(stepMs);
        checkAlive();
        if (host.interruptRequested()) throw new Interrupted(nodeId);
        progressState(nodeId, k, steps, 'running');
        const flags = sid ? host.flagsOf(sid) : null;
        const withMetadata = hasClient && host.previewMetadata && flags?.supports_preview_metadata === true;
        if (host.previews && withMetadata) {
          host.emitBinary(
            encodeBinaryFrame({
              kind: 'preview_image_with_metadata',
              metadata: {
                node_id: nodeId,
                prompt_id: promptId,
                display_node_id: nodeId,
                parent_node_id: null,
                real_node_id: nodeId,
                image_type: 'image/jpeg',
              },
              image: TINY_JPEG,
            }),
            sid,
          );
        }
        host.emit({ type: 'progress', data: { value: k, max: steps, prompt_id: promptId, node: nodeId } }, progressTarget);
        if (host.previews && !withMetadata) {
          host.emitBinary(encodeBinaryFrame({ kind: 'preview_image', format: 'jpeg', image: TINY_JPEG }), progressTarget);
        }
      }
      const failure = behaviour.failure(node);
      if (failure) {
        host.setCurrentNode(null);
        host.cache.replace(new Map(nextCache)); // nodes that finished before stay cached
        const data = {
          prompt_id: promptId,
          node_id: nodeId,
          node_type: node.class_type,
          executed: [...executed],
          exception_message: `${failure.message}\n`,
          exception_type: failure.type,
          traceback: ['Traceback (most recent call last):\n', `  File "nodes.py", line 1, in ${node.class_type}\n`],
          current_inputs: Object.fromEntries(
            Object.entries(node.inputs).filter(([, v]) => !isLink(v)).map(([k, v]) => [k, [v]]),
          ),
          current_outputs: Object.keys(item.prompt),
          timestamp: clock.now(),
        };
        phase({ kind: 'prompt', event: 'finished', promptIndex });
        toClient('execution_error', data, true);
        return { status: 'error', messages };
      }
      const ui = behaviour.ui(node, { promptId, nodeId, prompt: item.prompt, saveImage: host.saveImage });
      nextCache.set(signature, ui);
      executed.push(nodeId);
      nodePhase('finished', nodeId, behaviour.isOutput);
      if (ui) {
        outputs[nodeId] = ui;
        toClient('executed', { node: nodeId, display_node: nodeId, output: ui, prompt_id: promptId });
      }
      progressState(nodeId, steps > 0 ? steps : 1, steps > 0 ? steps : 1, 'finished');
    }
    if (stuck.length > 0) {
      // A cycle through inputs the nodes do not declare: ComfyUI ran what it could, then its
      // ExecutionList found nothing ready and failed the prompt (comfy_execution/graph.py).
      host.setCurrentNode(null);
      host.cache.replace(new Map(nextCache));
      progress.nodeId = stuck[0]!;
      const data = executionErrorData({
        promptId,
        prompt: item.prompt,
        progress,
        fallbackNodeId: stuck[0]!,
        exceptionType: 'graph.DependencyCycleError',
        exceptionMessage: 'Dependency cycle detected',
        traceback: [],
        currentInputs: [],
        timestamp: clock.now(),
      });
      phase({ kind: 'prompt', event: 'finished', promptIndex });
      toClient('execution_error', data, true);
      return { status: 'error', messages };
    }
    host.setCurrentNode(null);
    host.cache.replace(nextCache);
    phase({ kind: 'prompt', event: 'finished', promptIndex });
    toClient('execution_success', { prompt_id: promptId, timestamp: clock.now() }, true);
    return { status: 'success', outputs, messages };
  } catch (error) {
    host.setCurrentNode(null);
    if (error instanceof Aborted) return { status: 'aborted' };
    if (error instanceof Interrupted) {
      host.cache.replace(new Map(nextCache)); // nodes that finished before stay cached
      const node = item.prompt[error.nodeId]!;
      const data = {
        prompt_id: promptId,
        node_id: error.nodeId,
        node_type: node.class_type,
        executed: [...executed],
        timestamp: clock.now(),
      };
      host.phase({ kind: 'prompt', event: 'finished', promptIndex });
      if (!host.alive()) return { status: 'aborted' };
      messages.push(['execution_interrupted', data]);
      // Broadcast when the prompt has no client (comfyui-protocol.md §2).
      host.emit({ type: 'execution_interrupted', data }, clientId);
      return { status: 'interrupted', messages };
    }
    throw error;
  }
}

/**
 * Runs one prompt (see `runPrompt`). Whatever is thrown while it runs ends that prompt, and only
 * it, with an `execution_error`, as an exception in a node does in ComfyUI; an error that is the
 * simulator's own is also reported as `internal_error`. Never rejects.
 */
export async function executePrompt(host: ExecutorHost, item: QueuedPrompt): Promise<PromptOutcome> {
  const progress: PromptProgress = { nodeId: null, executed: [], messages: [] };
  try {
    return await runPrompt(host, item, progress);
  } catch (error) {
    return failOnException(host, item, progress, error);
  }
}

function failOnException(host: ExecutorHost, item: QueuedPrompt, progress: PromptProgress, error: unknown): PromptOutcome {
  host.setCurrentNode(null);
  if (!host.alive()) return { status: 'aborted' };
  const described = describeException(error);
  if (described.internal) host.reportInternalError('engine', error);
  const node = progress.nodeId === null ? undefined : item.prompt[progress.nodeId];
  const data = executionErrorData({
    promptId: item.promptId,
    prompt: item.prompt,
    progress,
    fallbackNodeId: item.outputsToExecute[0] ?? Object.keys(item.prompt)[0] ?? '',
    exceptionType: described.type,
    exceptionMessage: described.message.endsWith('\n') ? described.message : `${described.message}\n`,
    traceback: described.traceback,
    currentInputs: Object.fromEntries(Object.entries(node?.inputs ?? {}).filter(([, v]) => !isLink(v)).map(([k, v]) => [k, [v]])),
    timestamp: host.clock.now(),
  });
  host.phase({ kind: 'prompt', event: 'finished', promptIndex: item.index });
  if (!host.alive()) return { status: 'aborted' };
  progress.messages.push(['execution_error', data]);
  const clientId = typeof item.extraData.client_id === 'string' ? item.extraData.client_id : null;
  if (clientId !== null) host.emit({ type: 'execution_error', data }, clientId);
  return { status: 'error', messages: progress.messages };
}
