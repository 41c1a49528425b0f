import type { ApiPrompt } from '../../protocol/index.ts';
import { NodeException } from './node-exception.ts';

/** How far a prompt got, kept by the executor so that a failure can say where it happened. */
export interface PromptProgress {
  /** The node being run (or last staged); null before the first. */
  nodeId: string | null;
  /** Nodes that finished, in order. */
  executed: string[];
  /** Messages for the history entry's `status.messages`. */
  messages: Array<[string, Record<string, unknown>]>;
}

export interface ExecutionErrorInput {
  promptId: string;
  prompt: ApiPrompt;
  progress: PromptProgress;
  /** Node blamed when `progress.nodeId` is null: the first output. */
  fallbackNodeId: string;
  exceptionType: string;
  exceptionMessage: string;
  traceback: string[];
  /** ComfyUI sends `[]` when it has no inputs to show (a dependency cycle). */
  currentInputs: Record<string, unknown[]> | [];
  timestamp: number;
}

/** The data of an `execution_error` message, with ComfyUI's keys (execution.py `handle_execution_error`). */
export function executionErrorData(input: ExecutionErrorInput): Record<string, unknown> {
  const nodeId = input.progress.nodeId ?? input.fallbackNodeId;
  return {
    prompt_id: input.promptId,
    node_id: nodeId,
    node_type: input.prompt[nodeId]?.class_type ?? 'unknown',
    executed: [...input.progress.executed],
    exception_message: input.exceptionMessage,
    exception_type: input.exceptionType,
    traceback: input.traceback,
    current_inputs: input.currentInputs,
    current_outputs: Object.keys(input.prompt),
    timestamp: input.timestamp,
  };
}

/**
 * What an exception thrown inside a prompt's execution becomes: a {@link NodeException} is the
 * node's own (ComfyUI's behaviour); anything else is a fault of the simulator, reported to the
 * client as a failed prompt all the same (so nothing hangs) but marked `internal` for the trace.
 */
export function describeException(error: unknown): { type: string; message: string; traceback: string[]; internal: boolean } {
  if (error instanceof NodeException) {
    return {
      type: error.pythonType,
      message: error.message,
      traceback: ['Traceback (most recent call last):\n', '  File "execution.py", line 1, in execute\n'],
      internal: false,
    };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    type: `comfy_chaos.InternalError.${e.name}`,
    message: `comfy-chaos simulator error: ${e.message}`,
    traceback: (e.stack ?? '').split('\n').slice(1, 8).map((line) => `${line}\n`),
    internal: true,
  };
}
