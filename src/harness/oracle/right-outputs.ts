import type { Finding } from '../result.ts';
import { lines, submittedJobs } from './invariant.ts';
import {
  deliveredArtefacts,
  expectedArtefacts,
  fileKey,
  refNames,
  type DeliveredArtefacts,
  type ExpectedArtefacts,
  type ServerFile,
} from './output-artefacts.ts';
import { completions, type ClientReport, type PromptFacts, type TraceFacts } from './trace-facts.ts';

const shorten = (text: string, max = 160) => (text.length > max ? `${text.slice(0, max)}…` : text);

/** Every image of every output node, as `type/subfolder/filename`, sorted: what a relay's URLs should name. */
export function outputImages(outputs: Record<string, unknown>): string[] {
  const images: string[] = [];
  for (const node of Object.values(outputs)) {
    const list = (node as { images?: unknown } | null)?.images;
    if (!Array.isArray(list)) continue;
    for (const i of list as { filename?: unknown; subfolder?: unknown; type?: unknown }[]) images.push(`${String(i.type ?? '')}/${String(i.subfolder ?? '')}/${String(i.filename)}`);
  }
  return images.sort();
}

/** The outputs the server holds for a prompt (its history entry's when the trace has them) and the line that says so. */
function serverOutputs(prompt: PromptFacts): { outputs: Record<string, unknown>; seq: number; files: ServerFile[] } {
  const source = prompt.history?.outputs ? prompt.history : prompt.outcome!;
  return { outputs: source.outputs ?? {}, seq: source.seq, files: prompt.outcome?.files ?? [] };
}

/** Who made an artefact, as seen from one prompt: the other prompts' files (by name and by digest) and texts. */
interface OtherArtefacts {
  /** The other prompt that saved a file named so (`type/subfolder/filename`), if any. */
  fileOwner(key: string): string | undefined;
  digestOwner(sha256: string): string | undefined;
  textOwner(text: string): string | undefined;
}

/** Every succeeded prompt's artefacts, indexed once per trace (a run may hold thousands of jobs). */
class ArtefactIndex {
  private readonly files = new Map<string, string[]>();
  private readonly digests = new Map<string, string[]>();
  private readonly texts = new Map<string, string[]>();

  constructor(facts: TraceFacts) {
    const add = (map: Map<string, string[]>, key: string, id: string) => {
      const owners = map.get(key) ?? [];
      if (!owners.includes(id)) owners.push(id);
      map.set(key, owners);
    };
    for (const p of facts.prompts.values()) {
      if (p.outcome?.event !== 'success') continue;
      const server = serverOutputs(p);
      const theirs = expectedArtefacts(server.outputs, server.files);
      for (const f of theirs.files) {
        add(this.files, fileKey(f), p.promptId);
        if (f.sha256) add(this.digests, f.sha256, p.promptId);
      }
      for (const t of theirs.texts) add(this.texts, t, p.promptId);
    }
  }

  /** The artefacts of every prompt but `promptId`. */
  othersThan(promptId: string): OtherArtefacts {
    const owner = (map: Map<string, string[]>) => (key: string) => map.get(key)?.find((o) => o !== promptId);
    return { fileOwner: owner(this.files), digestOwner: owner(this.digests), textOwner: owner(this.texts) };
  }
}

/**
 * What is wrong with what a client delivered, as artefacts: every file of the job must be there
 * (named, or as bytes that are the served file's), every text too; nothing may be a file of
 * another job, a preview frame or bytes the server never saved for this job. Empty when right.
 */
export function artefactProblems(expected: ExpectedArtefacts, delivered: DeliveredArtefacts, others: OtherArtefacts, texts = true): string[] {
  const problems: string[] = [];
  const ownBlob = (sha: string) => expected.files.some((f) => f.sha256 === sha);
  // A file without a known digest (a scripted replay) cannot be checked byte for byte: a PNG counts for it.
  const undigested = expected.files.filter((f) => !f.sha256);
  const missing = expected.files.filter(
    (f) =>
      !delivered.refs.some((r) => refNames(r, f)) &&
      !delivered.blobs.some((b) => b.sha256 === f.sha256) &&
      !(f.sha256 === undefined && delivered.blobs.some((b) => b.kind === 'png' && !ownBlob(b.sha256))),
  );
  const missingTexts = texts ? [...new Set(expected.texts)].filter((t) => !delivered.texts.has(t)) : [];
  const nothing = delivered.refs.length === 0 && delivered.blobs.length === 0 && (!texts || delivered.texts.size === 0);
  if (nothing && (expected.files.length > 0 || missingTexts.length > 0)) {
    problems.push('no output of the job was delivered');
  } else {
    for (const f of missing) problems.push(`file ${fileKey(f)} is missing`);
    for (const t of missingTexts) problems.push(`text ${JSON.stringify(shorten(t, 60))} is missing`);
  }
  for (const r of delivered.refs) {
    if (expected.files.some((f) => refNames(r, f))) continue;
    const named = fileKey({ type: r.type ?? '?', subfolder: r.subfolder, filename: r.filename });
    const owner = r.type !== undefined ? others.fileOwner(named) : ['output', 'temp', 'input'].map((type) => others.fileOwner(fileKey({ ...r, type }))).find((o) => o);
    problems.push(owner ? `file ${named} is another job's (prompt ${owner})` : `file ${named} is not one the server saved for this job`);
  }
  // Preview frames handed over beside every saved file (an SDK that collects the previews into
  // its result, as @stable-canvas/comfyui-client does) leave the user with the right image; only
  // previews in place of a missing file are wrong, and they are said once, counted.
  const previews: number[] = [];
  for (const b of delivered.blobs) {
    if (ownBlob(b.sha256) || (undigested.length > 0 && b.kind === 'png')) continue;
    const owner = others.digestOwner(b.sha256);
    if (owner) problems.push(`${b.bytes} bytes delivered are another job's file (prompt ${owner})`);
    else if (b.kind === 'jpeg') previews.push(b.bytes);
    else problems.push(`${b.bytes} bytes delivered match no file the server saved for this job (a stale file?)`);
  }
  if (previews.length > 0 && missing.length > 0) {
    problems.push(previews.length === 1 ? `a ${previews[0]}-byte JPEG was delivered (a preview frame?) instead of the file the job saved` : `${previews.length} JPEGs of ${Math.min(...previews)}-${Math.max(...previews)} bytes were delivered (preview frames?) instead of the file the job saved`);
  }
  if (texts) {
    const own = new Set(expected.texts);
    for (const t of delivered.texts) {
      const owner = others.textOwner(t);
      if (owner && !own.has(t)) problems.push(`text ${JSON.stringify(shorten(t, 60))} is another job's (prompt ${owner})`);
    }
  }
  return problems;
}


/** What the client reported, short, for messages. */
function describeDelivered(report: ClientReport): string {
  const value = report.images ?? report.outputs;
  return shorten(JSON.stringify(value ?? null) ?? 'undefined');
}

/**
 * Right outputs: what the client reported completed with holds the job's artefacts, as the
 * server saved them (its history entry's outputs when the trace has them, else the success
 * event's), in any shape an SDK uses (see output-artefacts.ts). Relays hand the browser image
 * URLs: only their files are compared.
 */
export function rightOutputs(facts: TraceFacts): Finding[] {
  const findings: Finding[] = [];
  let index: ArtefactIndex | undefined; // built on the first completion: one pass over the prompts
  for (const job of submittedJobs(facts)) {
    for (const report of completions(job)) {
      const prompt = facts.prompts.get(report.promptId ?? job.promptId ?? '');
      if (prompt?.outcome?.event !== 'success') continue; // no-phantom's business
      const server = serverOutputs(prompt);
      const expected = expectedArtefacts(server.outputs, server.files);
      const relay = report.images !== undefined;
      const delivered = relay
        ? { refs: report.images!.map((i) => ({ filename: i.filename, subfolder: i.subfolder, type: i.type })), blobs: [], texts: new Set<string>() }
        : deliveredArtefacts(report.outputs);
      index ??= new ArtefactIndex(facts);
      const problems = artefactProblems(expected, delivered, index.othersThan(prompt.promptId), !relay);
      if (problems.length === 0) continue;
      findings.push({
        invariant: 'right-outputs',
        job: job.id,
        message: `the ${relay ? 'images delivered' : 'outputs reported'} for prompt ${prompt.promptId} are not the server's: ${problems.join('; ')} (reported ${describeDelivered(report)}; server ${shorten(JSON.stringify(server.outputs))})`,
        evidence: lines(server.seq, report.seq),
      });
    }
  }
  return findings;
}
