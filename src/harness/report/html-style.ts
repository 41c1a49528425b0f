/** The stylesheet of index.html (inline: the page loads nothing). */
export const pageStyle = `
:root {
  --pass: #1f9d55; --pass-bg: #dcf5e6;
  --degraded: #b7791f; --degraded-bg: #fdf0d5;
  --fail: #c53030; --fail-bg: #fde2e2;
  --skipped: #718096; --skipped-bg: #e9edf2;
  --non-strict: #2f855a; --non-strict-bg: #e6f4ea;
  --inconclusive: #6b46c1; --inconclusive-bg: #ede7fb;
  --harness-error: #1a202c; --harness-error-bg: #e2e8f0;
  --ink: #1a202c; --muted: #5a6473; --line: #dde2e8; --panel: #fff; --page: #f3f5f8;
}
* { box-sizing: border-box; }
html, body { margin: 0; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--page); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12px; }
header { padding: 12px 20px 10px; background: var(--panel); border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 2px; font-size: 18px; }
header .meta { color: var(--muted); }
header .meta code { color: var(--ink); background: #eef1f5; padding: 1px 5px; border-radius: 4px; }
.chips { display: flex; gap: 8px; align-items: center; margin-top: 8px; flex-wrap: wrap; }
.chip { padding: 2px 10px; border-radius: 12px; font-weight: 600; }
.chip.v-pass { background: var(--pass-bg); color: var(--pass); }
.chip.v-degraded { background: var(--degraded-bg); color: var(--degraded); }
.chip.v-fail { background: var(--fail-bg); color: var(--fail); }
.chip.v-skipped { background: var(--skipped-bg); color: var(--skipped); }
.chip.v-non-strict { background: var(--non-strict-bg); color: var(--non-strict); }
.chip.v-inconclusive { background: var(--inconclusive-bg); color: var(--inconclusive); }
.chip.v-harness-error { background: var(--harness-error-bg); color: var(--harness-error); }
.chips label { margin-left: 12px; color: var(--muted); }
main { display: flex; gap: 16px; padding: 14px 16px; align-items: flex-start; }
#matrix-pane { flex: 0 1 auto; max-width: 46%; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; overflow: auto; max-height: calc(100vh - 28px); position: sticky; top: 14px; }
#detail { flex: 1 1 0; min-width: 0; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; position: sticky; top: 14px; max-height: calc(100vh - 28px); overflow: auto; }
@media (max-width: 900px) { main { flex-direction: column; } #matrix-pane, #detail { max-width: none; width: 100%; position: static; max-height: none; } }
table.matrix { border-collapse: collapse; }
.matrix th, .matrix td { padding: 3px 6px; text-align: left; border-bottom: 1px solid #eef1f5; white-space: nowrap; }
.matrix thead th { position: sticky; top: 0; background: #f8fafc; z-index: 1; border-bottom: 1px solid var(--line); font-weight: 600; }
.matrix thead th.client { max-width: 130px; overflow: hidden; text-overflow: ellipsis; text-align: center; }
.matrix tr.group th { background: #f1f4f8; color: #334155; font-weight: 650; padding-top: 7px; letter-spacing: .01em; }
.matrix td.id { color: var(--muted); font-variant-numeric: tabular-nums; }
.matrix td.name { max-width: 300px; overflow: hidden; text-overflow: ellipsis; }
.matrix td.slot { text-align: center; padding: 2px 4px; }
.cell { display: inline-block; min-width: 84px; max-width: 150px; overflow: hidden; text-overflow: ellipsis; padding: 2px 8px; border: 1px solid transparent; border-radius: 4px; font: inherit; font-weight: 600; cursor: pointer; color: #fff; }
.cell small { font-weight: 500; opacity: .9; }
.cell.v-pass { background: var(--pass); }
.cell.v-degraded { background: #d69e2e; color: #1a202c; }
.cell.v-fail { background: var(--fail); }
.cell.v-skipped { background: #a0aec0; color: #1a202c; }
.cell.v-non-strict { background: #68d391; color: #1a202c; }
.cell.v-inconclusive { background: #9f7aea; }
.cell.v-harness-error { background: repeating-linear-gradient(45deg, #1a202c, #1a202c 6px, #4a5568 6px, #4a5568 12px); }
.cell:hover { filter: brightness(1.08); }
.cell:focus-visible { outline: 2px solid #1e40af; outline-offset: 1px; }
.cell.selected { box-shadow: 0 0 0 2px var(--panel), 0 0 0 4px #1e3a8a; }
.missing { color: #cbd5e0; }
.hint { color: var(--muted); padding: 40px 10px; text-align: center; }
.d-head { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.d-head h2 { margin: 0; font-size: 17px; }
.d-head .client { color: var(--muted); font-size: 15px; }
.badge { padding: 1px 9px; border-radius: 10px; font-weight: 700; text-transform: uppercase; font-size: 11px; letter-spacing: .04em; }
.badge.v-pass { background: var(--pass-bg); color: var(--pass); }
.badge.v-degraded { background: var(--degraded-bg); color: var(--degraded); }
.badge.v-fail { background: var(--fail-bg); color: var(--fail); }
.badge.v-skipped { background: var(--skipped-bg); color: var(--skipped); }
.badge.v-non-strict { background: var(--non-strict-bg); color: var(--non-strict); }
.badge.v-inconclusive { background: var(--inconclusive-bg); color: var(--inconclusive); }
.badge.v-harness-error { background: var(--harness-error-bg); color: var(--harness-error); }
.purpose { margin: 6px 0; font-size: 14px; }
.reason { margin: 6px 0; padding: 6px 10px; border-left: 3px solid var(--fail); background: #fff5f5; }
.reason.v-skipped { border-color: var(--skipped); background: #f7f9fb; }
.reason.v-degraded { border-color: #d69e2e; background: #fffaf0; }
.reason.v-non-strict { border-color: var(--non-strict); background: #f0fff4; }
.reason.v-inconclusive { border-color: var(--inconclusive); background: #faf5ff; }
.reason.v-harness-error { border-color: var(--harness-error); background: #f7fafc; }
pre.note { margin: 6px 0; padding: 6px 10px; background: #f7fafc; border: 1px solid var(--line); border-radius: 4px; white-space: pre-wrap; max-height: 260px; overflow: auto; }
ul.findings li .cause { color: var(--muted); margin-top: 2px; }
.facts { display: flex; gap: 18px; flex-wrap: wrap; color: var(--muted); margin: 6px 0; }
.facts b { color: var(--ink); font-weight: 600; }
.replay { display: flex; gap: 8px; align-items: center; margin: 8px 0 4px; }
.replay code { flex: 1; min-width: 0; overflow-x: auto; white-space: nowrap; padding: 6px 10px; background: #1e293b; color: #e2e8f0; border-radius: 5px; user-select: all; }
button.small { font: inherit; font-size: 12px; padding: 3px 9px; border: 1px solid var(--line); background: #f8fafc; border-radius: 4px; cursor: pointer; }
button.small:hover { background: #eef2f7; }
h3 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #475569; margin: 16px 0 6px; border-bottom: 1px solid var(--line); padding-bottom: 3px; }
ul.findings { list-style: none; margin: 0; padding: 0; }
ul.findings li { padding: 6px 10px; margin-bottom: 5px; border-radius: 5px; background: #f8fafc; border-left: 4px solid var(--skipped); }
ul.findings li.failing { background: #fff5f5; border-left-color: var(--fail); }
ul.findings li.informational { background: #fffaf0; border-left-color: #d69e2e; }
.tag { font-size: 10.5px; font-weight: 700; text-transform: uppercase; padding: 1px 6px; border-radius: 3px; margin-right: 6px; letter-spacing: .04em; }
.tag.failing { background: var(--fail); color: #fff; }
.tag.informational { background: #d69e2e; color: #1a202c; }
.inv { font-weight: 700; }
.seq { font: 11px ui-monospace, monospace; border: 1px solid #cbd5e0; background: #fff; border-radius: 3px; padding: 0 4px; margin: 0 2px; cursor: pointer; }
.seq:hover { background: #ebf4ff; }
table.counts { border-collapse: collapse; }
.counts th, .counts td { padding: 2px 12px 2px 0; text-align: left; }
.counts th { color: var(--muted); font-weight: 500; }
.counts td { font-weight: 700; font-variant-numeric: tabular-nums; }
.counts td.bad { color: var(--fail); }
.tl-marks { margin: 4px 0 6px; }
.tl-mark { display: inline-block; margin: 0 8px 4px 0; padding: 2px 8px; border-radius: 4px; font-weight: 600; }
.tl-mark.failing { background: var(--fail); color: #fff; }
.tl-mark.informational { background: #fbd38d; color: #1a202c; }
.tl-controls { display: flex; gap: 6px; align-items: center; color: var(--muted); margin-bottom: 4px; }
.tl { display: flex; border: 1px solid var(--line); border-radius: 5px; overflow: hidden; }
.tl-labels { flex: 0 0 104px; background: #f8fafc; border-right: 1px solid var(--line); }
.tl-labels div { font-size: 11.5px; color: #334155; padding: 0 8px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tl-scroll { flex: 1; min-width: 0; overflow-x: auto; }
.tl-scroll svg { display: block; }
.tl-scroll svg .m { cursor: pointer; }
.tl-scroll svg .m:hover { stroke: #000; stroke-width: 1; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 12px; margin: 6px 0 0; color: var(--muted); font-size: 11.5px; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.log-controls { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; margin-bottom: 6px; color: var(--muted); }
.log-controls label { white-space: nowrap; cursor: pointer; }
.log-controls input[type=search] { font: inherit; padding: 3px 6px; border: 1px solid #cbd5e0; border-radius: 4px; width: 200px; }
.log-note { color: var(--muted); margin: 0 0 6px; }
.log-wrap { max-height: 460px; overflow: auto; border: 1px solid var(--line); border-radius: 5px; }
table.log { border-collapse: collapse; width: 100%; table-layout: fixed; }
.log th { position: sticky; top: 0; background: #f8fafc; text-align: left; padding: 3px 6px; border-bottom: 1px solid var(--line); font-weight: 600; }
.log td { padding: 2px 6px; border-bottom: 1px solid #f0f2f5; vertical-align: top; }
.log td.num { text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; white-space: nowrap; }
.log td.kind { white-space: nowrap; color: #475569; }
.log td.label { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; font-weight: 600; }
.log td.kind { overflow: hidden; text-overflow: ellipsis; }
.log td.label i { display: inline-block; width: 8px; height: 8px; border-radius: 2px; margin-right: 5px; }
.log td.text { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 11.5px; white-space: pre-wrap; word-break: break-all; color: #334155; }
.log tr.ev td { background: #fff1f1; }
.log tr.ev td:first-child { box-shadow: inset 3px 0 0 var(--fail); }
.log tr.flash td { background: #fefcbf !important; transition: background .2s; }
a { color: #1d4ed8; }
`;
