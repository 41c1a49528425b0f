/**
 * What the relay tells a user's browser, on every downstream: one JSON object per message, each
 * naming its job by `prompt_id` (docs/relays.md, "The reference relay").
 */
export interface ProgressMessage {
  type: 'progress';
  prompt_id: string;
  value: number;
  max: number;
}
export interface ImageResultMessage {
  type: 'imageResult';
  prompt_id: string;
  /** One `/view` URL per image of every output node, in node order. */
  urls: string[];
}
export interface ErrorMessage {
  type: 'error';
  prompt_id: string;
  message: string;
}
export type RelayMessage = ProgressMessage | ImageResultMessage | ErrorMessage;
/** A job's one terminal message: kept until delivered, unlike progress (best-effort). */
export type ResultMessage = ImageResultMessage | ErrorMessage;

/**
 * `$COMFY_URL/view?filename=..&subfolder=..&type=..` for every image of every output node.
 * Outputs are ComfyUI UI dicts (`{"images": [{filename, subfolder, type}], ...}`); an entry
 * without a string `filename` cannot be viewed and is skipped.
 */
export function imageUrls(comfyUrl: string, outputs: Record<string, Record<string, unknown>>): string[] {
  const base = comfyUrl.replace(/\/+$/, '');
  const urls: string[] = [];
  for (const output of Object.values(outputs)) {
    const images = output?.images;
    if (!Array.isArray(images)) continue;
    for (const image of images as unknown[]) {
      if (typeof image !== 'object' || image === null) continue;
      const { filename, subfolder, type } = image as Record<string, unknown>;
      if (typeof filename !== 'string') continue;
      const query = [
        `filename=${encodeURIComponent(filename)}`,
        `subfolder=${encodeURIComponent(typeof subfolder === 'string' ? subfolder : '')}`,
        `type=${encodeURIComponent(typeof type === 'string' ? type : 'output')}`,
      ].join('&');
      urls.push(`${base}/view?${query}`);
    }
  }
  return urls;
}

/** A way to the browsers (STOMP through a broker, Socket.IO). Every message goes to every downstream. */
export interface Downstream {
  /** Hands `message` to user `clientId`. Never throws; a result is kept until confirmed. */
  deliver(clientId: string, message: RelayMessage): void;
  close(): Promise<void>;
}
