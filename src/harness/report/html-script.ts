/**
 * The script of index.html (inline; no modules, no network). It reads the JSON in
 * `<script id="cc-data">`, opens a result's detail when its matrix cell is clicked (or from the
 * URL hash `#<id>@<client>`), and draws the timeline and the wire log. Plain ES2017 in a string:
 * it runs in the browser, never in Node. No backticks or dollar-brace in it (this is a template).
 */
export const pageScript = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('cc-data').textContent);
  var results = data.results;
  var detail = document.getElementById('detail');
  var SVG = 'http://www.w3.org/2000/svg';
  var state = { current: -1, zoom: 1 };

  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] === undefined || attrs[k] === null || attrs[k] === false) continue;
      if (k === 'text') el.textContent = attrs[k];
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), attrs[k]);
      else el.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }
  function append(el, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(el, c); }); return; }
    el.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  function s(tag, attrs, text) {
    var el = document.createElementNS(SVG, tag);
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    if (text !== undefined) el.textContent = text;
    return el;
  }
  function fmtMs(ms) {
    if (ms < 1000) return Math.round(ms) + ' ms';
    var sec = ms / 1000;
    return (sec < 10 ? sec.toFixed(2) : sec < 100 ? sec.toFixed(1) : Math.round(sec)) + ' s';
  }
  function fmtSeqs(seqs) {
    var sorted = seqs.slice().sort(function (a, b) { return a - b; });
    var parts = [];
    for (var i = 0; i < sorted.length; i++) {
      var j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
      parts.push(j > i ? sorted[i] + '-' + sorted[j] : String(sorted[i]));
      i = j;
    }
    return parts.join(', ');
  }
  function keyOf(r) { return r.id + '@' + r.client; }
  function findingLabel(f) { return f.invariant + (f.job ? ' (job ' + f.job + ')' : ''); }

  // ---- selection -------------------------------------------------------------------------------
  function select(i, fromHash) {
    var r = results[i];
    if (!r) return;
    state.current = i;
    var cells = document.querySelectorAll('.cell.selected');
    for (var c = 0; c < cells.length; c++) cells[c].classList.remove('selected');
    var cell = document.querySelector('.cell[data-result="' + i + '"]');
    if (cell) cell.classList.add('selected');
    if (!fromHash) {
      try { history.replaceState(null, '', '#' + encodeURIComponent(keyOf(r))); } catch (e) { /* file:// in some browsers */ }
    }
    renderDetail(r);
    detail.scrollTop = 0;
  }
  function fromHash() {
    var key = decodeURIComponent(location.hash.slice(1));
    if (!key) return false;
    for (var i = 0; i < results.length; i++) if (keyOf(results[i]) === key) { select(i, true); return true; }
    return false;
  }
  document.getElementById('matrix').addEventListener('click', function (e) {
    var cell = e.target.closest('.cell');
    if (cell) select(Number(cell.getAttribute('data-result')));
  });
  window.addEventListener('hashchange', fromHash);
  var onlyProblems = document.getElementById('only-problems');
  if (onlyProblems) onlyProblems.addEventListener('change', function () {
    var rows = document.querySelectorAll('#matrix tbody tr[data-all-pass]');
    for (var i = 0; i < rows.length; i++) rows[i].hidden = onlyProblems.checked;
  });

  // ---- detail panel ----------------------------------------------------------------------------
  function renderDetail(r) {
    detail.textContent = '';
    var evidence = evidenceOf(r);
    var cites = r.cites ? citeLink(r.cites) : null;
    var copy = h('button', { class: 'small', type: 'button', text: 'copy' });
    var code = h('code', { text: r.replay });
    copy.addEventListener('click', function () {
      var done = function () { copy.textContent = 'copied'; setTimeout(function () { copy.textContent = 'copy'; }, 1200); };
      var selectCode = function () { var range = document.createRange(); range.selectNodeContents(code); var sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(r.replay).then(done, selectCode);
      else selectCode();
    });
    append(detail, [
      h('div', { class: 'd-head' },
        h('span', { class: 'badge v-' + r.verdict, text: r.verdict }),
        h('h2', { text: r.id + ' ' + r.name }),
        h('span', { class: 'client', title: r.client, text: '× ' + r.client })),
      h('p', { class: 'purpose' }, r.purpose, cites ? [' (', cites, ')'] : null),
      r.reason ? h('p', { class: 'reason v-' + r.verdict }, r.verdict === 'fail' ? h('b', { text: 'Failed: ' }) : r.verdict === 'harness-error' ? h('b', { text: 'Not the client: ' }) : null, r.reason) : null,
      r.note ? h('pre', { class: 'note', text: r.note }) : null,
      h('div', { class: 'facts' },
        fact('group', data.groups.filter(function (g) { return g.group === r.group; }).map(function (g) { return g.title; })[0] || r.group),
        fact('transport', r.transport), fact('seed', r.seed), fact('run', fmtMs(r.runMs)), fact('wall', fmtMs(r.wallMs)),
        h('span', null, 'trace ', h('a', { href: r.traceFile, text: r.traceFile }), ' (' + r.total + ' events)')),
      h('div', { class: 'replay' }, code, copy),
      h('h3', { text: 'Findings' }),
      findings(r),
      h('h3', { text: 'Counts' }),
      counts(r.counts),
      h('h3', { text: 'Timeline' }),
      h('div', { id: 'timeline' }),
      h('h3', { text: 'Wire log' }),
      wireLog(r, evidence),
    ]);
    drawTimeline(r, evidence);
  }
  /** seq -> the findings that point at it. */
  function evidenceOf(r) {
    var evidence = {};
    r.findings.forEach(function (f) { f.evidence.forEach(function (seq) { (evidence[seq] = evidence[seq] || []).push(f); }); });
    return evidence;
  }
  function fact(name, value) { return h('span', null, name + ' ', h('b', { text: String(value) })); }
  function citeLink(cites) {
    var m = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(cites);
    return m ? h('a', { href: 'https://github.com/' + m[1] + '/issues/' + m[2], rel: 'noreferrer', text: cites }) : document.createTextNode(cites);
  }
  function findings(r) {
    if (!r.findings.length) return h('p', { class: 'log-note', text: r.verdict === 'skipped' ? 'Not run.' : 'No findings: every invariant held.' });
    var firstFailing = true;
    return h('ul', { class: 'findings' }, r.findings.map(function (f) {
      var failing = !f.informational && r.verdict === 'fail';
      var kind = f.informational ? 'informational' : failing ? 'failing' : '';
      var li = h('li', { class: kind },
        kind ? h('span', { class: 'tag ' + kind, text: kind === 'failing' && firstFailing ? 'failing invariant' : kind }) : null,
        h('span', { class: 'inv', text: f.invariant }), f.job ? ' (job ' + f.job + ')' : '', ': ', f.message,
        f.cause ? h('div', { class: 'cause', text: 'cause: ' + f.cause }) : null,
        f.evidence.length ? h('div', null, 'trace lines ', f.evidence.slice().sort(function (a, b) { return a - b; }).map(function (seq) {
          return h('button', { class: 'seq', type: 'button', title: 'show in the wire log', text: String(seq), onclick: function () { showRow(seq); } });
        })) : null);
      if (failing) firstFailing = false;
      return li;
    }));
  }
  function counts(c) {
    var names = [['acknowledged', 'acknowledged'], ['completedOnServer', 'completed on server'], ['reported', 'reported'], ['lost', 'lost'], ['duplicated', 'duplicated'], ['phantom', 'phantom'], ['recovered', 'recovered']];
    return h('table', { class: 'counts' },
      h('tr', null, names.map(function (n) { return h('th', { text: n[1] }); })),
      h('tr', null, names.map(function (n) {
        var bad = (n[0] === 'lost' || n[0] === 'duplicated' || n[0] === 'phantom') && c[n[0]] > 0;
        return h('td', { class: bad ? 'bad' : null, text: String(c[n[0]]) });
      })));
  }

  // ---- timeline --------------------------------------------------------------------------------
  var LANE_H = 26, MARKS_H = 18, AXIS_H = 18, PAD = 10;
  /** A round tick step (1, 2 or 5 x 10^n ms) giving a label about every 80 px. */
  function niceStep(span, width) {
    var raw = (span * 80) / width, pow = Math.pow(10, Math.floor(Math.log10(raw || 1))), n = raw / pow;
    return (n <= 1 ? 1 : n <= 2 ? 2 : n <= 5 ? 5 : 10) * pow;
  }
  function drawTimeline(r, evidence) {
    var host = document.getElementById('timeline');
    host.textContent = '';
    var marks = r.findings.map(function (f) {
      var failing = !f.informational && r.verdict === 'fail';
      return h('span', { class: 'tl-mark ' + (failing ? 'failing' : 'informational'), title: f.message },
        (failing ? '✖ ' : 'ℹ ') + findingLabel(f) + (f.evidence.length ? ', trace lines ' + fmtSeqs(f.evidence) : ''));
    });
    if (marks.length) append(host, h('div', { class: 'tl-marks' }, marks));
    if (!r.events.length) { append(host, h('p', { class: 'log-note', text: 'No trace events.' })); return; }
    var zoomLabel = h('span', { text: state.zoom + '×' });
    var setZoom = function (z) { state.zoom = Math.max(1, Math.min(64, z)); drawTimeline(r, evidence); };
    append(host, h('div', { class: 'tl-controls' }, 'zoom',
      h('button', { class: 'small', type: 'button', text: '−', onclick: function () { setZoom(state.zoom / 2); } }),
      zoomLabel,
      h('button', { class: 'small', type: 'button', text: '+', onclick: function () { setZoom(state.zoom * 2); } }),
      h('button', { class: 'small', type: 'button', text: 'fit', onclick: function () { setZoom(1); } }),
      h('span', { text: '· one tick per trace event; hover for details, click to find it in the wire log; outlined ticks are evidence' })));
    var top = MARKS_H + AXIS_H;
    var labels = h('div', { class: 'tl-labels' }, h('div', { style: 'height:' + top + 'px' }),
      data.lanes.map(function (name) { return h('div', { style: 'height:' + LANE_H + 'px;line-height:' + LANE_H + 'px', title: name, text: name }); }));
    var scroll = h('div', { class: 'tl-scroll' });
    append(host, h('div', { class: 'tl' }, labels, scroll));
    var width = Math.max(400, (scroll.clientWidth || 700) - 2) * state.zoom;
    var height = top + LANE_H * data.lanes.length + 4;
    var maxT = r.runMs;
    r.events.forEach(function (e) { if (e.t > maxT) maxT = e.t; });
    maxT = maxT || 1;
    var x = function (t) { return PAD + (t / maxT) * (width - 2 * PAD); };
    var laneY = function (l) { return top + l * LANE_H; };
    var svg = s('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': 'timeline of ' + r.id + ' ' + r.name });
    data.lanes.forEach(function (_, l) { svg.appendChild(s('rect', { x: 0, y: laneY(l), width: width, height: LANE_H, fill: l % 2 ? '#ffffff' : '#f8fafc' })); });
    var step = niceStep(maxT, width);
    for (var t = 0; t <= maxT + 1e-9; t += step) {
      svg.appendChild(s('line', { x1: x(t), x2: x(t), y1: MARKS_H + AXIS_H - 4, y2: height, stroke: '#e2e8f0' }));
      svg.appendChild(s('text', { x: x(t), y: MARKS_H + AXIS_H - 6, 'font-size': 10.5, fill: '#64748b', 'text-anchor': t === 0 ? 'start' : x(t) > width - 30 ? 'end' : 'middle' }, fmtMs(t)));
    }
    var bySeq = {};
    r.events.forEach(function (e) { bySeq[e.s] = e; });
    // Each finding: a band over its evidence and its invariant named on top.
    r.findings.forEach(function (f) {
      var ts = f.evidence.map(function (seq) { return bySeq[seq]; }).filter(Boolean).map(function (e) { return e.t; });
      if (!ts.length) return;
      var failing = !f.informational && r.verdict === 'fail';
      var x0 = x(Math.min.apply(null, ts)), x1 = x(Math.max.apply(null, ts));
      var col = failing ? '#c53030' : '#b7791f';
      svg.appendChild(s('rect', { x: x0 - 3, y: MARKS_H, width: Math.max(6, x1 - x0 + 6), height: height - MARKS_H, fill: col, 'fill-opacity': 0.1, stroke: col, 'stroke-opacity': 0.5, 'stroke-dasharray': '3 2' }));
      var right = x0 > width - 220;
      svg.appendChild(s('text', { class: 'tl-inv', x: right ? x1 + 3 : x0 - 3, y: MARKS_H - 5, 'font-size': 11.5, 'font-weight': 700, fill: col, 'text-anchor': right ? 'end' : 'start' }, (failing ? '✖ ' : 'ℹ ') + findingLabel(f)));
    });
    // Connections: a bar from connect to close.
    var connLane = data.lanes.indexOf('connections');
    var opened = {};
    r.events.forEach(function (e) {
      if (e.k === 'ws_connect') opened[e.w] = e.t;
      if (e.k === 'ws_close' && opened[e.w] !== undefined) { bar(opened[e.w], e.t, e.w); delete opened[e.w]; }
    });
    for (var w in opened) bar(opened[w], maxT, Number(w));
    function bar(t0, t1, conn) {
      var y = laneY(connLane) + LANE_H / 2 + ((conn % 3) - 1) * 4;
      var line = s('line', { x1: x(t0), x2: Math.max(x(t1), x(t0) + 2), y1: y, y2: y, stroke: '#16a34a', 'stroke-width': 5, 'stroke-opacity': 0.25, 'stroke-linecap': 'round' });
      line.appendChild(s('title', {}, 'connection #' + conn + ': ' + fmtMs(t0) + ' to ' + fmtMs(t1)));
      svg.appendChild(line);
    }
    var frameTypes = {};
    var serverLane = data.lanes.indexOf('server frames');
    r.events.forEach(function (e) {
      if (e.l === serverLane) frameTypes[e.n] = e.c;
      var ev = evidence[e.s];
      var y = laneY(e.l);
      var m = s('rect', {
        class: 'm', x: x(e.t) - (ev ? 2.5 : 1.5), y: y + (ev ? 3 : 6), width: ev ? 5 : 3, height: LANE_H - (ev ? 6 : 12), fill: e.c,
        stroke: ev ? '#111827' : 'none', 'stroke-width': ev ? 1.5 : 0, 'data-seq': e.s,
      });
      m.appendChild(s('title', {}, '#' + e.s + ' · ' + fmtMs(e.t) + ' · ' + e.n + (e.x ? '\n' + e.x.slice(0, 200) : '') + (ev ? '\nevidence: ' + ev.map(function (f) { return f.invariant; }).join(', ') : '')));
      m.addEventListener('click', function () { showRow(e.s); });
      svg.appendChild(m);
    });
    scroll.appendChild(svg);
    var types = Object.keys(frameTypes);
    if (types.length) append(host, h('div', { class: 'legend' }, h('span', { text: 'server frames:' }), types.map(function (t) {
      return h('span', null, h('i', { style: 'background:' + frameTypes[t] }), t);
    })));
  }

  // ---- wire log --------------------------------------------------------------------------------
  function wireLog(r, evidence) {
    var kinds = {};
    r.events.forEach(function (e) { kinds[e.k] = (kinds[e.k] || 0) + 1; });
    var shown = {};
    Object.keys(kinds).forEach(function (k) { shown[k] = true; });
    var query = '';
    var evidenceOnly = false;
    var rows = r.events.map(function (e) {
      var ev = evidence[e.s];
      var tr = h('tr', { 'data-seq': e.s, 'data-kind': e.k, class: ev ? 'ev' : null, title: ev ? 'evidence: ' + ev.map(findingLabel).join('; ') : null },
        h('td', { class: 'num', text: String(e.s) }),
        h('td', { class: 'num', text: String(Math.round(e.t)) }),
        h('td', { class: 'kind', text: e.k }),
        h('td', { class: 'num', text: e.w === undefined ? '' : '#' + e.w }),
        h('td', { class: 'label', title: e.n }, h('i', { style: 'background:' + e.c }), e.n),
        h('td', { class: 'text', text: e.x }));
      tr._search = (e.n + ' ' + e.x + ' ' + e.k).toLowerCase();
      tr._ev = !!ev;
      return tr;
    });
    var body = h('tbody', null, rows);
    function apply() {
      rows.forEach(function (tr) {
        var kind = tr.getAttribute('data-kind');
        tr.hidden = !shown[kind] || (evidenceOnly && !tr._ev) || (query && tr._search.indexOf(query) < 0);
      });
    }
    var controls = h('div', { class: 'log-controls' }, h('span', { text: 'kinds:' }), Object.keys(kinds).sort().map(function (k) {
      var box = h('input', { type: 'checkbox', checked: 'checked', 'data-kind': k });
      box.addEventListener('change', function () { shown[k] = box.checked; apply(); });
      return h('label', null, box, ' ' + k + ' (' + kinds[k] + ')');
    }));
    var onlyEv = h('input', { type: 'checkbox' });
    onlyEv.addEventListener('change', function () { evidenceOnly = onlyEv.checked; apply(); });
    var search = h('input', { type: 'search', placeholder: 'filter text…' });
    search.addEventListener('input', function () { query = search.value.toLowerCase(); apply(); });
    append(controls, [h('label', null, onlyEv, ' evidence only'), search]);
    var note = r.events.length < r.total
      ? h('p', { class: 'log-note' }, 'Showing ' + r.events.length + ' of ' + r.total + ' events (the first ' + data.limits.eventsPerResult + ' and every evidence line); frame texts clipped to ' + data.limits.textChars + ' characters. Full trace: ', h('a', { href: r.traceFile, text: r.traceFile }), '.')
      : h('p', { class: 'log-note', text: 'Frame texts clipped to ' + data.limits.textChars + ' characters; the full trace is ' + r.traceFile + '.' });
    var wrap = h('div', { class: 'log-wrap', id: 'wire-log' }, h('table', { class: 'log' },
      h('colgroup', null, [52, 60, 84, 44, 170, null].map(function (w) { return h('col', { style: w ? 'width:' + w + 'px' : null }); })),
      h('thead', null, h('tr', null, ['seq', 'ms', 'kind', 'conn', 'event', 'detail'].map(function (t) { return h('th', { text: t }); }))), body));
    wrap._reset = function () {
      Object.keys(shown).forEach(function (k) { shown[k] = true; });
      var boxes = controls.querySelectorAll('input[type=checkbox][data-kind]');
      for (var i = 0; i < boxes.length; i++) boxes[i].checked = true;
      evidenceOnly = false; onlyEv.checked = false; query = ''; search.value = '';
      apply();
    };
    return h('div', null, controls, note, wrap);
  }
  function showRow(seq) {
    var wrap = document.getElementById('wire-log');
    var row = wrap && wrap.querySelector('tr[data-seq="' + seq + '"]');
    if (!row) return;
    if (row.hidden) wrap._reset();
    // Scroll the log, then the panel, never the page: the header and matrix stay where they are.
    wrap.scrollTop += row.getBoundingClientRect().top - wrap.getBoundingClientRect().top - wrap.clientHeight / 2;
    var panel = detail.getBoundingClientRect(), box = wrap.getBoundingClientRect();
    if (detail.scrollHeight > detail.clientHeight) {
      if (box.top < panel.top || box.bottom > panel.bottom) detail.scrollTop += box.top - panel.top - 40;
    } else {
      wrap.scrollIntoView({ block: 'nearest' });
    }
    row.classList.add('flash');
    setTimeout(function () { row.classList.remove('flash'); }, 1200);
  }

  // ---- start -----------------------------------------------------------------------------------
  if (!fromHash()) {
    var firstFail = -1;
    for (var i = 0; i < results.length; i++) if (results[i].verdict === 'fail' || results[i].verdict === 'harness-error') { firstFail = i; break; }
    if (firstFail >= 0) select(firstFail, true);
  }
  window.addEventListener('resize', function () {
    if (state.current >= 0) drawTimeline(results[state.current], evidenceOf(results[state.current]));
  });
  document.documentElement.setAttribute('data-ready', '1');
})();
`;
