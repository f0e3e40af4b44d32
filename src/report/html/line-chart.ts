import { escapeHtml, jsonForScript } from './escape.js';
import { formatTick, linearScale, logScale, type Scale } from './scales.js';

/** One line of a chart: a value (or null: a gap) for each x. */
export interface ChartSeries {
  name: string;
  color: string;
  values: ReadonlyArray<number | null>;
  dashed?: boolean;
}

/** A shaded stretch of the x axis (the warm-up, a round of a comparison). */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
  color?: string;
}

/** What to draw. */
export interface LineChartOptions {
  /** The figure's DOM id. */
  id: string;
  title: string;
  /** The y axis's unit, e.g. `ms`. */
  yLabel: string;
  xLabel: string;
  /** The x value of every point, shared by all series, ascending. */
  x: readonly number[];
  series: readonly ChartSeries[];
  /** `auto`: log when the values span more than ~30 times (default). */
  yScale?: 'linear' | 'log' | 'auto';
  /** Custom x ticks (e.g. percentiles on a log axis), else round numbers. */
  xTicks?: ReadonlyArray<{ value: number; label: string }>;
  /** How an x value reads in the hover box (default: as is). */
  xNames?: readonly string[];
  bands?: readonly ChartBand[];
  /** A line under the chart: what is shown, how it was measured. */
  note?: string;
}

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { left: 56, right: 14, top: 12, bottom: 38 };

const fmt = (value: number) => Number(value.toFixed(2));

function chooseYScale(options: LineChartOptions, values: number[]): Scale {
  const top = MARGIN.top;
  const bottom = HEIGHT - MARGIN.bottom;
  const positive = values.filter((value) => value > 0);
  const max = Math.max(0, ...values);
  const minPositive = positive.length === 0 ? 0 : Math.min(...positive);
  const wantLog = options.yScale === 'log' || (options.yScale !== 'linear' && positive.length === values.length && minPositive > 0 && max / minPositive > 30);
  if (wantLog && positive.length > 0) return logScale(minPositive, max, bottom, top);
  return linearScale(0, max, bottom, top);
}

/** The path of one series; a null breaks the line, and a point alone gets a dot. */
function seriesPath(xs: number[], ys: Array<number | null>): { d: string; dots: Array<[number, number]> } {
  let d = '';
  const dots: Array<[number, number]> = [];
  let run: Array<[number, number]> = [];
  const flush = () => {
    if (run.length === 1) dots.push(run[0]!);
    else if (run.length > 1) d += `M${run.map(([x, y]) => `${fmt(x)},${fmt(y)}`).join('L')}`;
    run = [];
  };
  ys.forEach((y, i) => {
    if (y === null) flush();
    else run.push([xs[i]!, y]);
  });
  flush();
  return { d, dots };
}

/**
 * A line chart as inline SVG, drawn here rather than by a charting library: the page must open
 * with no request to any other host, and these few kinds of chart need ~150 lines. Hovering
 * shows the values at the nearest x (the page's small script reads the JSON beside the SVG).
 */
export function lineChart(options: LineChartOptions): string {
  const values = options.series.flatMap((series) => series.values.filter((value): value is number => value !== null && Number.isFinite(value)));
  const head = `<figure class="chart" id="${escapeHtml(options.id)}"><figcaption>${escapeHtml(options.title)}</figcaption>`;
  if (values.length === 0 || options.x.length === 0) {
    return `${head}<p class="empty">No data to draw${options.note === undefined ? '' : `: ${escapeHtml(options.note)}`}</p></figure>`;
  }
  const xMin = options.x[0]!;
  const xMax = options.x.at(-1)!;
  // Seconds are whole: no tick between them.
  const xScale = linearScale(xMin, xMax > xMin ? xMax : xMin + 1, MARGIN.left, WIDTH - MARGIN.right, 8, options.xTicks === undefined ? 1 : 0);
  // Custom ticks keep the data's own range; round ticks may widen it.
  const xAt = options.xTicks === undefined ? xScale.at : (value: number) => MARGIN.left + ((value - xMin) / (xMax > xMin ? xMax - xMin : 1)) * (WIDTH - MARGIN.left - MARGIN.right);
  const yScale = chooseYScale(options, values);
  const px = options.x.map(xAt);
  const parts: string[] = [];
  parts.push(`<svg class="chart-svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-label="${escapeHtml(options.title)}" preserveAspectRatio="xMidYMid meet">`);
  for (const band of options.bands ?? []) {
    const from = Math.max(MARGIN.left, xAt(band.from));
    const to = Math.min(WIDTH - MARGIN.right, xAt(band.to));
    if (to <= from) continue;
    parts.push(`<rect class="band" x="${fmt(from)}" y="${MARGIN.top}" width="${fmt(to - from)}" height="${HEIGHT - MARGIN.top - MARGIN.bottom}" fill="${band.color ?? '#888'}" fill-opacity="0.12"><title>${escapeHtml(band.label)}</title></rect>`);
    parts.push(`<text class="band-label" x="${fmt(from + 3)}" y="${MARGIN.top + 11}">${escapeHtml(band.label)}</text>`);
  }
  parts.push('<g class="grid">');
  for (const tick of yScale.ticks()) {
    const y = fmt(yScale.at(tick));
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y}" y2="${y}"/><text class="y-tick" x="${MARGIN.left - 6}" y="${y}" dy="0.32em">${formatTick(tick)}</text>`);
  }
  const xTicks = options.xTicks ?? xScale.ticks().filter((tick) => tick >= xMin && tick <= Math.max(xMax, xMin)).map((value) => ({ value, label: formatTick(value) }));
  for (const tick of xTicks) {
    const x = fmt(xAt(tick.value));
    parts.push(`<line class="x-grid" x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}"/><text class="x-tick" x="${x}" y="${HEIGHT - MARGIN.bottom + 15}">${escapeHtml(tick.label)}</text>`);
  }
  parts.push('</g>');
  parts.push(`<text class="axis-label" x="${(MARGIN.left + WIDTH - MARGIN.right) / 2}" y="${HEIGHT - 4}">${escapeHtml(options.xLabel)}</text>`);
  const yTitle = `${options.yLabel}${yScale.kind === 'log' ? ' (log scale)' : ''}`;
  parts.push(`<text class="axis-label" transform="translate(13 ${(MARGIN.top + HEIGHT - MARGIN.bottom) / 2}) rotate(-90)">${escapeHtml(yTitle)}</text>`);
  parts.push('<g class="series">');
  for (const series of options.series) {
    const ys = series.values.map((value) => (value === null || !Number.isFinite(value) ? null : yScale.at(value)));
    const { d, dots } = seriesPath(px, ys);
    const dash = series.dashed ? ' stroke-dasharray="5 3"' : '';
    if (d !== '') parts.push(`<path class="line" data-series="${escapeHtml(series.name)}" d="${d}" stroke="${series.color}"${dash}><title>${escapeHtml(series.name)}</title></path>`);
    for (const [x, y] of dots) parts.push(`<circle class="dot" data-series="${escapeHtml(series.name)}" cx="${fmt(x)}" cy="${fmt(y)}" r="2.5" fill="${series.color}"/>`);
  }
  parts.push('</g>');
  parts.push(`<line class="cursor" x1="0" x2="0" y1="${MARGIN.top}" y2="${HEIGHT - MARGIN.bottom}" visibility="hidden"/>`);
  parts.push('</svg>');
  const legend = options.series
    .map((series) => `<span class="key"><i style="background:${series.color}"${series.dashed ? ' class="dashed"' : ''}></i>${escapeHtml(series.name)}</span>`)
    .join('');
  const data = {
    unit: options.yLabel,
    px: px.map(fmt),
    x: options.xNames ?? options.x.map((value) => `${options.xLabel} ${formatTick(value)}`),
    series: options.series.map((series) => ({ name: series.name, color: series.color, values: series.values })),
  };
  const note = options.note === undefined ? '' : `<p class="note">${escapeHtml(options.note)}</p>`;
  return `${head}<div class="legend">${legend}</div><div class="plot">${parts.join('')}<div class="hover" hidden></div></div>${note}<script type="application/json" class="chart-data">${jsonForScript(data)}</script></figure>`;
}
