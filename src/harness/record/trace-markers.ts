/**
 * What `comfy-chaos record` writes into a trace beyond the simulator's own events, so that
 * `comfy-chaos import` can read it back: the marks of its notes and HTTP `fault`s, and how a
 * server frame is described (as the simulator's trace describes its frames).
 */

/** Starts the `fault` of an HTTP event (and the note of a refused upgrade) that the proxy answered itself because the upstream failed. */
export const UPSTREAM_FAILURE = 'record: upstream';
/** The note `close()` writes before it closes the sockets. */
export const RECORDING_STOPPING = 'recording stopping:';
/** Starts the note written when an upstream socket dropped without a close frame. */
export const UPSTREAM_DROP = 'record: dropped';
/** Frames larger than this are not parsed for their type (the regex below still finds it). */
const PARSE_LIMIT_CHARS = 256 * 1024;

/** The message type and prompt id of a server frame, as the simulator's trace names them. */
export function describeFrame(data: string | Uint8Array): { msgType: string | null; promptId: string | null } {
  if (typeof data !== 'string') return { msgType: 'binary', promptId: null };
  if (data.length > PARSE_LIMIT_CHARS) {
    const type = /^\s*\{\s*"type"\s*:\s*"([^"]*)"/.exec(data);
    return { msgType: type ? type[1]! : null, promptId: null };
  }
  try {
    const value = JSON.parse(data) as { type?: unknown; data?: { prompt_id?: unknown } };
    const msgType = typeof value?.type === 'string' ? value.type : null;
    const promptId = typeof value?.data?.prompt_id === 'string' ? value.data.prompt_id : null;
    return { msgType, promptId };
  } catch {
    return { msgType: null, promptId: null };
  }
}
