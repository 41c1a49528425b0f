import { createHash } from 'node:crypto';
import type { ApiPrompt, NodeOutput } from '../../protocol/index.ts';

/**
 * ComfyUI's default ("classic") output cache: a node whose class and inputs, followed through
 * its links, are identical to a node of the previous prompt is not run again. After each prompt
 * only that prompt's nodes stay cached.
 */
export class NodeCache {
  private entries = new Map<string, NodeOutput | null>();

  has(signature: string): boolean {
    return this.entries.has(signature);
  }

  /** The UI the node produced when it ran (null when it produced none). */
  ui(signature: string): NodeOutput | null {
    return this.entries.get(signature) ?? null;
  }

  /** Replaces the cache with the nodes of the prompt that just ran. */
  replace(next: Map<string, NodeOutput | null>): void {
    this.entries = next;
  }

  clear(): void {
    this.entries.clear();
  }
}

function isLink(value: unknown): value is [string, number] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';
}

/** Longest node description used as its own signature; longer ones are hashed, so signatures stay short however deep the graph. */
const MAX_PLAIN_SIGNATURE = 256;

/**
 * A short description is its own signature (exact, and no hash to compute: issue 15); a longer
 * one is its SHA-1. The two never meet: a description is a JSON array (`[...`), a hash is hex.
 */
function signatureOf(description: string): string {
  return description.length <= MAX_PLAIN_SIGNATURE ? description : createHash('sha1').update(description).digest('hex');
}

/** Signatures of every node: class + literal inputs + the signatures of linked nodes. */
export function nodeSignatures(prompt: ApiPrompt): Map<string, string> {
  const done = new Map<string, string>();
  const visiting = new Set<string>();
  const visit = (id: string): string => {
    const known = done.get(id);
    if (known) return known;
    if (visiting.has(id)) return `cycle:${id}`;
    visiting.add(id);
    const node = prompt[id];
    const parts: unknown[] = [node?.class_type ?? 'missing'];
    for (const key of Object.keys(node?.inputs ?? {}).sort()) {
      const value = node!.inputs[key];
      parts.push(key, isLink(value) ? ['link', visit(value[0]), value[1]] : value);
    }
    const signature = signatureOf(JSON.stringify(parts));
    visiting.delete(id);
    done.set(id, signature);
    return signature;
  };
  for (const id of Object.keys(prompt)) visit(id);
  return done;
}
