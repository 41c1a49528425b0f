import type { ScenarioResult, Verdict } from '../result.ts';
import { compareScenarioIds, failureTitle, groupOf, groupTitle, verdicts } from './format.ts';
import { htmlData, type HtmlData, type HtmlDataLimits, type HtmlResult } from './html-data.ts';
import { pageScript } from './html-script.ts';
import { pageStyle } from './html-style.ts';
import type { ReportMeta, ReportWriter } from './report-writer.ts';

/** Text for HTML content and attribute values. */
export function htmlEscape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** JSON that cannot end its `<script>` element (`</script>`, `<!--`): every `<` is escaped. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

const e = htmlEscape;

function cell(r: HtmlResult, index: number): string {
  const why = r.verdict === 'fail' ? r.failed : r.verdict === 'pass' ? undefined : r.reason;
  const title = `${r.id} ${r.name} × ${r.client}: ${r.verdict}${why ? ` (${why})` : ''}`;
  const small = r.verdict === 'fail' && r.failed ? ` <small>${e(r.failed)}</small>` : '';
  return `<button type="button" class="cell v-${r.verdict}" data-result="${index}" data-verdict="${r.verdict}" title="${e(title)}">${r.verdict}${small}</button>`;
}

/** The scenario x client matrix, rows grouped by scenario group; rendered here so it reads without script. */
function matrix(data: HtmlData): string {
  const index = new Map(data.results.map((r, i) => [`${r.id}\u0000${r.client}`, i]));
  const scenarios = [...new Map(data.results.map((r) => [r.id, r])).values()].sort((a, b) => compareScenarioIds(a.id, b.id));
  const rows: string[] = [];
  let group: number | undefined;
  for (const s of scenarios) {
    if (groupOf(s.id) !== group) {
      group = groupOf(s.id);
      rows.push(`<tr class="group"><th colspan="${data.clients.length + 2}">${e(groupTitle(group))}</th></tr>`);
    }
    const slots = data.clients.map((client) => {
      const i = index.get(`${s.id}\u0000${client}`);
      return i === undefined ? '<td class="slot missing" title="not run">—</td>' : `<td class="slot">${cell(data.results[i]!, i)}</td>`;
    });
    const allPass = data.clients.every((client) => {
      const i = index.get(`${s.id}\u0000${client}`);
      return i === undefined || data.results[i]!.verdict === 'pass';
    });
    rows.push(
      `<tr${allPass ? ' data-all-pass' : ''}><td class="id">${e(s.id)}</td><td class="name" title="${e(s.purpose)}">${e(s.name)}</td>${slots.join('')}</tr>`,
    );
  }
  const head = `<tr><th>id</th><th>scenario</th>${data.clients.map((c) => `<th class="client" title="${e(c)}">${e(c)}</th>`).join('')}</tr>`;
  return `<table class="matrix" id="matrix"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
}

function header(data: HtmlData): string {
  const m = data.meta;
  const chips = verdicts.map((v: Verdict) => `<span class="chip v-${v}">${data.verdicts[v]} ${v}</span>`).join('');
  const merged = m.mergedFrom ? ` · merged from ${m.mergedFrom.length} reports` : '';
  return `<header>
<h1>comfy-chaos · ${e(m.run)}</h1>
<div class="meta"><code>${e(m.command)}</code> · seed ${m.seed} · ${e(m.transport)} transport · started ${e(m.startedAt)}${merged}</div>
<div class="chips">${chips}<span class="meta">${data.results.length} results · ${data.clients.length} client${data.clients.length === 1 ? '' : 's'}</span><label><input type="checkbox" id="only-problems"> hide rows where every client passed</label></div>
</header>`;
}

/** The whole page: one file, inline style, script and data; a CSP forbids loading anything. */
export function renderHtml(results: readonly ScenarioResult[], meta: ReportMeta, limits: HtmlDataLimits = {}): string {
  const data = htmlData(results, meta, limits);
  const failures = data.verdicts.fail;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${failures ? `✖ ${failures} failed` : '✔ no failures'} · comfy-chaos ${e(meta.run)}</title>
<link rel="icon" href="data:,">
<style>${pageStyle}</style>
</head>
<body>
${header(data)}
<main>
<section id="matrix-pane" aria-label="scenarios by client">${matrix(data)}</section>
<section id="detail" aria-live="polite"><p class="hint">Click a cell to see the scenario's findings, timeline and wire log.</p></section>
</main>
<noscript><p class="hint">The timeline and wire log need JavaScript; results.json and the trace files hold the same data.</p></noscript>
<script type="application/json" id="cc-data">${scriptJson(data)}</script>
<script>${pageScript}</script>
</body>
</html>
`;
}

/**
 * index.html: the scenario x client matrix coloured by verdict; a cell opens the result's purpose,
 * findings (the failing invariant marked), counts, replay command, a timeline of the trace on the
 * run's clock and the wire log. Self-contained: no external assets, no network.
 */
export const html: ReportWriter = (results, meta) => [{ name: 'index.html', text: renderHtml(results, meta) }];
