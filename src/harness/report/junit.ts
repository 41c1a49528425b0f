import type { ScenarioResult } from '../result.ts';
import { clientsOf, columnOf, describeFinding, failingFindings, failureTitle, sortResults, verdictCounts, verdictNote } from './format.ts';
import type { ReportMeta, ReportWriter } from './report-writer.ts';

/** Characters XML 1.0 does not allow at all (frames may carry any of them); replaced by U+FFFD. */
const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Text or attribute value made safe for XML. */
export function xmlEscape(text: string): string {
  return text
    .replace(notXml, '\uFFFD')
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(/\r/g, '&#13;');
}

/** Attribute values also keep their newlines and tabs (parsers fold raw ones into spaces). */
function attr(text: string): string {
  return xmlEscape(text).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function testcase(r: ScenarioResult, indent: string): string {
  const open = `${indent}<testcase classname="${attr(columnOf(r))}" name="${attr(`${r.scenario.id} ${r.scenario.name}`)}" time="${seconds(r.wallMs)}"`;
  const inner: string[] = [];
  const replay = `replay: ${r.replay}`;
  if (r.verdict === 'fail') {
    const first = failingFindings(r)[0];
    const message = first ? describeFinding(first) : (r.reason ?? 'failed');
    const note = verdictNote(r);
    const body = [...(r.reason && first ? [r.reason] : []), ...(note ? [note] : []), ...r.findings.map(describeFinding), replay].join('\n');
    inner.push(`<failure message="${attr(message)}" type="${attr(failureTitle(r)!)}">${xmlEscape(body)}</failure>`);
  } else if (r.verdict === 'harness-error') {
    // Not the client's failure: an <error>, as JUnit has for a test that could not run properly.
    const body = [verdictNote(r, 40) ?? '', replay].join('\n');
    inner.push(`<error message="${attr(r.reason ?? 'comfy-chaos itself failed')}" type="harness-error">${xmlEscape(body)}</error>`);
  } else if (r.verdict === 'skipped' || r.verdict === 'inconclusive') {
    const message = r.verdict === 'inconclusive' ? `inconclusive: ${r.reason ?? 'a fault never fired'}` : (r.reason ?? 'skipped');
    inner.push(`<skipped message="${attr(message)}"/>`);
  } else if (r.verdict === 'non-strict') {
    inner.push(`<properties><property name="verdict" value="non-strict"/></properties>`);
  }
  // Degraded and non-strict runs pass: the note says why. Informational findings go along.
  const notes = [
    ...(r.verdict === 'degraded' ? [`degraded: ${r.reason ?? 'correct, but slower than the scenario latency bound'}`] : []),
    ...(r.verdict === 'non-strict' ? [`non-strict: ${r.reason ?? 'correct, but gave up where a retry would have succeeded'}`] : []),
    ...(r.verdict === 'inconclusive' ? [verdictNote(r) ?? ''] : []),
    ...(r.verdict !== 'fail' ? r.findings.map(describeFinding) : []),
  ];
  if (notes.length) inner.push(`<system-out>${xmlEscape([...notes, replay].join('\n'))}</system-out>`);
  return inner.length ? `${open}>\n${inner.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}</testcase>` : `${open}/>`;
}

function counts(results: readonly ScenarioResult[]): string {
  const v = verdictCounts(results);
  const time = seconds(results.reduce((sum, r) => sum + r.wallMs, 0));
  return `tests="${results.length}" failures="${v.fail}" errors="${v['harness-error']}" skipped="${v.skipped + v.inconclusive}" time="${time}"`;
}

function properties(meta: ReportMeta, indent: string): string {
  const props: [string, string][] = [
    ['run', meta.run],
    ['seed', String(meta.seed)],
    ['transport', meta.transport],
    ['command', meta.command],
  ];
  return [`${indent}<properties>`, ...props.map(([n, v]) => `${indent}  <property name="${n}" value="${attr(v)}"/>`), `${indent}</properties>`].join('\n');
}

/**
 * junit.xml: one testsuite per client, one testcase per scenario x client (classname = client,
 * name = `<id> <name>`). A failure names the failed invariant in `message`, with every finding
 * (trace lines as evidence) and the replay command in its body; a skip carries its reason; a
 * harness-error is an `<error>` (comfy-chaos failed, not the client) with the stack; an
 * inconclusive run is a `<skipped>` saying which fault never fired; degraded and non-strict runs
 * pass, with a `system-out` note (non-strict also with a `verdict` property).
 */
export const junit: ReportWriter = (results, meta) => {
  const sorted = sortResults(results);
  const suites = clientsOf(sorted).map((client) => {
    const mine = sorted.filter((r) => columnOf(r) === client);
    return [
      `  <testsuite name="${attr(client)}" ${counts(mine)} timestamp="${attr(meta.startedAt)}">`,
      properties(meta, '    '),
      ...mine.map((r) => testcase(r, '    ')),
      '  </testsuite>',
    ].join('\n');
  });
  const text = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${attr(`comfy-chaos ${meta.run}`)}" ${counts(sorted)}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
  return [{ name: 'junit.xml', text }];
};
