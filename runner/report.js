/* report.js: draws a fotasim report's timeline from its event table (embedded in each page):
 * lanes for power, network and FOTA phases (with the percent the URCs give), the host's
 * commands, the module's output, URCs, fired fault rules and failed expectations, on the wall
 * or the virtual time axis; a click on a mark shows its row; checkboxes hide kinds of rows. */
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var LANES = [
    { label: 'power', kinds: ['state'], seg: true },
    { label: 'network', kinds: ['network'], seg: true },
    { label: 'FOTA', kinds: ['fota'], seg: true, percent: true },
    { label: 'host commands', kinds: ['cmd', 'rx'] },
    { label: 'module output', kinds: ['tx'] },
    { label: 'URCs, SMS', kinds: ['urc', 'sms'] },
    { label: 'fault rules', kinds: ['fault'] },
    { label: 'failed expectations', kinds: ['fail'] }
  ];
  var LEFT = 150, TOP = 24, LANE = 26, RIGHT = 16;
  var svg = document.getElementById('timeline');
  var table = document.getElementById('events');
  var rows = Array.prototype.slice.call(table.querySelectorAll('tbody tr'));
  var events = rows.map(function (tr) {
    var text = tr.querySelector('td.text');
    return {
      row: tr, kind: tr.getAttribute('data-kind'), t: parseFloat(tr.getAttribute('data-t')),
      vt: parseFloat(tr.getAttribute('data-vt')), state: tr.getAttribute('data-state') || '',
      text: text ? text.textContent : ''
    };
  });

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }

  function niceStep(span) {
    var raw = span / 8, p = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10)), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }

  function label(v, axis) {
    if (axis === 't') return (Math.round(v * 1000) / 1000) + ' s';
    return v >= 10000 ? (Math.round(v / 10) / 100) + ' s' : Math.round(v) + ' ms';
  }

  function show(ev) {
    rows.forEach(function (r) { r.classList.remove('hit'); });
    ev.row.classList.add('hit');
    ev.row.scrollIntoView({ block: 'center' });
  }

  function title(node, ev) {
    var text = ev.kind + ' at ' + ev.t.toFixed(3) + ' s, vt ' + ev.vt + ' ms: ' +
      (ev.state ? ev.state + ' ' : '') + ev.text;
    el('title', {}, node).textContent = text.length > 300 ? text.slice(0, 300) + '...' : text;
    node.addEventListener('click', function () { show(ev); });
  }

  function draw(axis) {
    var width = Math.max(svg.getBoundingClientRect().width || 0, 600);
    var height = TOP + LANES.length * LANE + 8, marks = 0;
    var lo = Infinity, hi = -Infinity;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute('viewBox', '0 0 ' + width + ' ' + height);
    svg.setAttribute('height', String(height));
    events.forEach(function (e) {
      if (isFinite(e[axis])) { lo = Math.min(lo, e[axis]); hi = Math.max(hi, e[axis]); }
    });
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi <= lo) hi = lo + 1;
    function x(v) { return LEFT + (v - lo) / (hi - lo) * (width - LEFT - RIGHT); }

    var step = niceStep(hi - lo), axisG = el('g', { 'class': 'axis' }, svg);
    for (var v = Math.ceil(lo / step) * step; v <= hi + step / 1000; v += step) {
      var tick = el('g', { 'class': 'tick' }, axisG);
      el('line', { x1: x(v), x2: x(v), y1: TOP - 4, y2: height - 4 }, tick);
      el('text', { x: x(v) + 2, y: TOP - 8 }, tick).textContent = label(v, axis);
    }

    LANES.forEach(function (lane, i) {
      var y = TOP + i * LANE, g = el('g', { 'class': 'lane', 'data-lane': lane.label }, svg);
      var mine = events.filter(function (e) { return lane.kinds.indexOf(e.kind) >= 0; });
      el('rect', { 'class': 'lane-bg', x: LEFT, y: y + 2, width: width - LEFT - RIGHT, height: LANE - 4 }, g);
      el('text', { 'class': 'lane-label', x: 6, y: y + LANE / 2 + 4 }, g).textContent = lane.label;
      mine.forEach(function (e, k) {
        var x0 = x(e[axis]), node;
        if (lane.seg) {
          var next = mine[k + 1], x1 = next ? x(next[axis]) : x(hi);
          node = el('g', { 'class': 'seg mark' }, g);
          el('rect', { 'class': 'st-' + e.state, x: x0, y: y + 3, width: Math.max(x1 - x0, 2), height: LANE - 6 }, node);
          if (x1 - x0 > 8 * e.state.length)
            el('text', { x: x0 + 3, y: y + LANE / 2 + 4 }, node).textContent = e.state;
        } else if (e.kind === 'fault') {
          node = el('path', { 'class': 'mark k-fault-mark', d: 'M' + x0 + ' ' + (y + 4) + ' l6 16 l-12 0 z' }, g);
        } else if (e.kind === 'fail') {
          node = el('path', { 'class': 'mark k-fail-mark', d: 'M' + (x0 - 6) + ' ' + (y + 6) + ' l12 14 m0 -14 l-12 14' }, g);
        } else {
          node = el('line', { 'class': 'mark k-' + e.kind + '-mark' + (/ERROR/.test(e.text) ? ' err' : ''),
            x1: x0, x2: x0, y1: y + 4, y2: y + LANE - 4 }, g);
        }
        title(node, e);
        marks++;
      });
      if (lane.percent) { /* one line per run of rising percents (a download, an update) */
        var points = [], last = -1, from = events.some(function (e) { return e.kind === 'urc'; }) ?
          'urc' : 'tx'; /* a transcript has no URC events: its output has them */
        var flush = function () {
          if (points.length) el('polyline', { 'class': 'percent', points: points.join(' ') }, g);
          points = [];
        };
        events.forEach(function (e) {
          var m = e.kind === from && /"FOTA","(DOWNLOADING|UPDATING)",(\d+)/.exec(e.text);
          if (!m) return;
          var pct = parseInt(m[2], 10);
          if (pct < last) flush();
          last = pct;
          points.push(x(e[axis]) + ',' + (y + LANE - 3 - pct / 100 * (LANE - 6)));
        });
        flush();
      }
    });
    svg.setAttribute('data-marks', String(marks));
  }

  function filters() {
    var box = document.getElementById('filters'), seen = {};
    events.forEach(function (e) { seen[e.kind] = (seen[e.kind] || 0) + 1; });
    Object.keys(seen).forEach(function (kind) {
      var lab = document.createElement('label'), box2 = document.createElement('input');
      box2.type = 'checkbox';
      box2.checked = true;
      box2.setAttribute('data-kind', kind);
      box2.addEventListener('change', function () {
        rows.forEach(function (r) {
          if (r.getAttribute('data-kind') === kind) r.hidden = !box2.checked;
        });
      });
      lab.appendChild(box2);
      lab.appendChild(document.createTextNode(' ' + kind + ' (' + seen[kind] + ')'));
      box.appendChild(lab);
    });
  }

  var axis = 't';
  Array.prototype.forEach.call(document.querySelectorAll('input[name=axis]'), function (r) {
    r.addEventListener('change', function () { axis = r.value; draw(axis); });
  });
  window.addEventListener('resize', function () { draw(axis); });
  filters();
  draw(axis);
  document.body.setAttribute('data-ready', '1');
})();
