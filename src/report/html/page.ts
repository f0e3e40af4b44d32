import { escapeHtml } from './escape.js';

/** Colours that stay apart for colour-blind readers (Okabe and Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#8C6D1F', '#000000'];
export const COLORS = { p50: '#0072B2', p90: '#E69F00', p99: '#D55E00', ok: '#009E73', sent: '#56B4E9', errors: '#D55E00', overloaded: '#CC79A7', a: '#0072B2', b: '#D55E00' };

const CSS = `
:root{--fg:#1d2330;--muted:#5b6475;--line:#dde1e8;--bg:#fff;--card:#f6f7f9;--bad:#b3261e;--good:#1b7f3b}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px 8px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px;padding-bottom:4px;border-bottom:1px solid var(--line)}
main{padding:0 28px 28px}
.sub{color:var(--muted);margin:0}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;margin-left:6px;vertical-align:middle}
.badge.bad{background:#fde7e5;color:var(--bad)}.badge.good{background:#e3f4e8;color:var(--good)}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0 4px}
.card{background:var(--card);border-radius:8px;padding:8px 14px;min-width:112px}
.card b{display:block;font-size:19px}.card span{color:var(--muted);font-size:12px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(460px,1fr));gap:18px}
figure.chart{margin:0;border:1px solid var(--line);border-radius:8px;padding:10px 12px 8px}
figcaption{font-weight:600;margin-bottom:2px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;color:var(--muted);min-height:18px}
.key i{display:inline-block;width:14px;height:3px;margin-right:5px;vertical-align:middle}
.key i.dashed{background-image:linear-gradient(90deg,transparent 60%,#fff 60%)!important;background-size:6px 3px}
.plot{position:relative}
svg.chart-svg{width:100%;height:auto;display:block}
.grid line{stroke:var(--line);stroke-width:1}.grid text{fill:var(--muted);font-size:11px}
.y-tick{text-anchor:end}.x-tick{text-anchor:middle}
.axis-label{fill:var(--muted);font-size:11px;text-anchor:middle}
.band-label{fill:var(--muted);font-size:10px}
path.line{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
.cursor{stroke:#888;stroke-dasharray:3 3}
.hover{position:absolute;top:4px;pointer-events:none;background:rgba(255,255,255,.95);border:1px solid var(--line);border-radius:6px;padding:4px 8px;font-size:12px;white-space:nowrap;box-shadow:0 1px 4px rgba(0,0,0,.12)}
.hover i{display:inline-block;width:8px;height:8px;border-radius:4px;margin-right:5px}
.note{color:var(--muted);font-size:12px;margin:4px 0 0}
.empty{color:var(--muted);font-style:italic;padding:30px 0;text-align:center}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{padding:4px 10px;border-bottom:1px solid var(--line);text-align:right;vertical-align:top}
th{background:var(--card);font-weight:600}
td.text,th.text{text-align:left}
.scroll{overflow-x:auto}
.bad{color:var(--bad);font-weight:600}.good{color:var(--good)}
pre{background:var(--card);border-radius:8px;padding:10px 14px;overflow-x:auto;font-size:12.5px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:3px 14px;margin:6px 0}dt{color:var(--muted)}dd{margin:0;word-break:break-all}
footer{color:var(--muted);font-size:12px;padding:0 28px 24px}
`;

/** Shows the values at the nearest x when the pointer is over a chart; reads the JSON each chart carries. */
const SCRIPT = `
for (const figure of document.querySelectorAll('figure.chart')) {
  const source = figure.querySelector('script.chart-data');
  const svg = figure.querySelector('svg');
  if (!source || !svg) continue;
  const data = JSON.parse(source.textContent);
  const cursor = svg.querySelector('.cursor');
  const box = figure.querySelector('.hover');
  const show = (event) => {
    const rect = svg.getBoundingClientRect();
    const x = ((event.clientX - rect.left) / rect.width) * svg.viewBox.baseVal.width;
    let best = 0;
    for (let i = 1; i < data.px.length; i++) if (Math.abs(data.px[i] - x) < Math.abs(data.px[best] - x)) best = i;
    cursor.setAttribute('x1', data.px[best]);
    cursor.setAttribute('x2', data.px[best]);
    cursor.setAttribute('visibility', 'visible');
    box.replaceChildren();
    const title = document.createElement('div');
    title.textContent = data.x[best];
    box.append(title);
    for (const series of data.series) {
      const value = series.values[best];
      const row = document.createElement('div');
      const dot = document.createElement('i');
      dot.style.background = series.color;
      row.append(dot, series.name + ': ' + (value === null || value === undefined ? '-' : value + ' ' + data.unit));
      box.append(row);
    }
    box.hidden = false;
    const left = (data.px[best] / svg.viewBox.baseVal.width) * rect.width;
    box.style.left = (left > rect.width / 2 ? left - box.offsetWidth - 10 : left + 10) + 'px';
  };
  svg.addEventListener('mousemove', show);
  svg.addEventListener('mouseleave', () => { box.hidden = true; cursor.setAttribute('visibility', 'hidden'); });
}
`;

/**
 * A whole page: one file with its CSS, script and SVG inline. The content security policy
 * forbids loading anything at all, so the page can make no request to any host.
 */
export function htmlPage(title: string, header: string, body: string, footer: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>${header}</header>
<main>${body}</main>
<footer>${footer}</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** A table with a header row; cells are HTML already escaped; `text` columns align left. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, textColumns: readonly number[] = [0]): string {
  const cls = (i: number) => (textColumns.includes(i) ? ' class="text"' : '');
  const head = headers.map((h, i) => `<th${cls(i)}>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell, i) => `<td${cls(i)}>${cell}</td>`).join('')}</tr>`).join('');
  return `<div class="scroll"><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** A key figure. */
export function card(value: string, label: string): string {
  return `<div class="card"><b>${escapeHtml(value)}</b><span>${escapeHtml(label)}</span></div>`;
}
