import type { ImportedRecording } from './import-recording.ts';

/**
 * `comfy-chaos import --explain`: the server's timeline of each prompt as the import reconstructed
 * it (what the client received, and what the server did that only its later answers show), each
 * inferred fault with its evidence, what could not be inferred, and which ComfyUI it was.
 * Times are ms from the recording's first exchange, as the scenario's are.
 */
export function explainImport(imported: ImportedRecording): string {
  const { timelines, evidence, profile, origin, input } = imported;
  const at = (t: number) => `${String(Math.round(t - origin)).padStart(7)} ms`;
  const lines: string[] = [];
  for (const p of timelines) {
    const job = p.resubmitOf !== undefined ? `the client's retry of prompt ${p.resubmitOf}` : `a job of client_id ${p.clientId ?? '(none)'}`;
    lines.push(`prompt ${p.index} ${p.promptId} (${job}): ${p.outcome} on the server${p.script ? '' : ', not scripted (the engine runs it)'}`);
    for (const e of [...p.entries].sort((a, b) => a.t - b.t)) lines.push(`  ${at(e.t)}  ${e.source === 'received' ? 'client got ' : 'server only'}  ${e.what}`);
  }
  lines.push('', evidence.faults.length ? 'faults inferred:' : 'faults inferred: none');
  for (const f of evidence.faults) {
    lines.push(`  ${JSON.stringify(f.fault)}`);
    for (const e of f.evidence) lines.push(`    - ${e}`);
  }
  if (evidence.undetermined.length) lines.push('', 'not inferred:', ...evidence.undetermined.map((u) => `  - ${u}`));
  if (evidence.malformedFrames.length) lines.push('', 'frames kept as recorded:', ...evidence.malformedFrames.map((m) => `  - ${m}`));
  lines.push('', `ComfyUI: ${input.comfyui ?? 'the baseline profile'}`, ...profile.evidence.map((e) => `  - ${e}`));
  return lines.join('\n') + '\n';
}
