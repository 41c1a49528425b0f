import { encodeBinaryFrame, encodeServerMessage, pythonJsonDumps } from '../../protocol/index.ts';
import type { Fault } from '../../protocol/index.ts';
import { TINY_JPEG } from '../files/png.ts';

type FrameFaultType = Extract<Fault, { frames: number }>['type'];
type FrameFaultOf<T extends FrameFaultType> = Extract<Fault, { type: T }>;

/** What a frame fault does to the frames of one message: returns the frames to send instead. */
export type FrameTransform<T extends FrameFaultType> = (
  fault: FrameFaultOf<T>,
  frames: Array<string | Uint8Array>,
  message: { type: string; data: unknown },
) => Array<string | Uint8Array>;

const BOM = '\uFEFF';

/** Applies the fault to the JSON text frame(s) only; binary frames pass untouched. */
function mapText(frames: Array<string | Uint8Array>, f: (text: string) => Array<string | Uint8Array>) {
  return frames.flatMap((frame) => (typeof frame === 'string' ? f(frame) : [frame]));
}

export const frameTransforms: { [T in FrameFaultType]: FrameTransform<T> } = {
  bom: (_f, frames) => mapText(frames, (t) => [BOM + t]),
  garbage_prefix: (f, frames) => mapText(frames, (t) => [f.garbage + t]),
  heartbeat: (f, frames) => [f.text, ...frames],
  truncate: (f, frames) => mapText(frames, (t) => [t.slice(0, Math.max(1, Math.floor(t.length * f.keepRatio)))]),
  non_json: (f, frames) => [f.text, ...frames],
  duplicate: (_f, frames) => [...frames, ...frames],
  drop: () => [],
  // Reordering is done by the socket hub, which holds the frames until the next message.
  reorder: (_f, frames) => frames,
  unknown_type: (f, frames) => [
    encodeServerMessage({ type: f.messageType, data: { cpu_utilization: 12.5, ram_used_percent: 40.1, gpus: [] } }),
    ...frames,
  ],
  extra_fields: (_f, frames, message) => {
    const data = typeof message.data === 'object' && message.data !== null ? message.data : {};
    return mapText(frames, () => [pythonJsonDumps({ type: message.type, data: { ...data, sim_extra: 'x', sim_version: 2 } })]);
  },
  binary_preview: (_f, frames) => [encodeBinaryFrame({ kind: 'preview_image', format: 'jpeg', image: TINY_JPEG }), ...frames],
  oversized: (f, frames) => {
    const head = encodeServerMessage({ type: 'sim.padding', data: { pad: '' } });
    const pad = 'x'.repeat(Math.max(0, f.bytes - head.length));
    return [encodeServerMessage({ type: 'sim.padding', data: { pad } }), ...frames];
  },
};

export function isFrameFault(f: Fault): f is FrameFaultOf<FrameFaultType> {
  return Object.prototype.hasOwnProperty.call(frameTransforms, f.type);
}

export function applyFrameFault(f: FrameFaultOf<FrameFaultType>, frames: Array<string | Uint8Array>, message: { type: string; data: unknown }) {
  return (frameTransforms[f.type] as FrameTransform<FrameFaultType>)(f, frames, message);
}
