// A line chart as a standalone SVG file (no browser, no library): one polyline with point markers per system,
// axes with rounded ticks, a legend. The report links these files; GitHub and any browser show them.
import type { Chart } from "./contract.ts";

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 150, top: 40, bottom: 50 };
/** a fixed colour per known system, so QualMeet looks the same in every chart; others take the next free one */
const SYSTEM_COLORS: Record<string, string> = { qualmeet: "#1f77b4", "socket.io": "#d62728", janus: "#2ca02c" };
const OTHER_COLORS = ["#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

const escapeXml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** About `count` round tick values (1, 2 or 5 x 10^k apart) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (min === max) return [min];
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  // up to the first tick at or past max, so every point lies inside the axes
  for (let t = Math.floor(min / step) * step; ticks.length === 0 || ticks.at(-1)! < max; t += step) ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

const formatTick = (value: number) => (Math.abs(value) >= 10_000 ? `${value / 1000}k` : String(value));
const axisTitle = (axis: Chart["x"]) => escapeXml(axis.unit ? `${axis.label} (${axis.unit})` : axis.label);

export function chartSvg(chart: Chart): string {
  const points = chart.series.flatMap((s) => s.points);
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  // the y axis starts at 0 (a latency or a rate read against nothing would mislead); x covers the loads measured
  const xTicks = xs.length ? niceTicks(Math.min(...xs), Math.max(...xs)) : [0, 1];
  const yTicks = niceTicks(Math.min(0, ...ys), Math.max(1, ...ys));
  const [x0, x1] = [xTicks[0]!, xTicks.at(-1)!];
  const [y0, y1] = [yTicks[0]!, yTicks.at(-1)!];
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const sx = (x: number) => MARGIN.left + (x1 === x0 ? plotW / 2 : ((x - x0) / (x1 - x0)) * plotW);
  const sy = (y: number) => MARGIN.top + plotH - (y1 === y0 ? 0 : ((y - y0) / (y1 - y0)) * plotH);
  const r = (n: number) => n.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(chart.title)}</text>`,
  ];
  for (const t of xTicks) {
    out.push(`<line x1="${r(sx(t))}" y1="${MARGIN.top}" x2="${r(sx(t))}" y2="${MARGIN.top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${r(sx(t))}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${formatTick(t)}</text>`);
  }
  for (const t of yTicks) {
    out.push(`<line x1="${MARGIN.left}" y1="${r(sy(t))}" x2="${MARGIN.left + plotW}" y2="${r(sy(t))}" stroke="#eee"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${formatTick(t)}</text>`);
  }
  out.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 12}" text-anchor="middle">${axisTitle(chart.x)}</text>`);
  out.push(`<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${axisTitle(chart.y)}</text>`);
  const others = [...OTHER_COLORS];
  chart.series.forEach((series, i) => {
    const color = SYSTEM_COLORS[series.system] ?? others.shift() ?? "#000";
    const sorted = [...series.points].sort((a, b) => a[0] - b[0]);
    const path = sorted.map(([x, y]) => `${r(sx(x))},${r(sy(y))}`).join(" ");
    out.push(`<g data-system="${escapeXml(series.system)}">`);
    if (sorted.length > 1) out.push(`<polyline points="${path}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const [x, y] of sorted) out.push(`<circle cx="${r(sx(x))}" cy="${r(sy(y))}" r="3.5" fill="${color}"><title>${escapeXml(`${series.system}: ${x}, ${y}`)}</title></circle>`);
    const ly = MARGIN.top + 10 + i * 18;
    out.push(`<rect x="${MARGIN.left + plotW + 12}" y="${ly - 8}" width="12" height="12" fill="${color}"/>`);
    out.push(`<text x="${MARGIN.left + plotW + 30}" y="${ly + 2}">${escapeXml(series.system)}${sorted.length ? "" : " (no data)"}</text>`);
    out.push(`</g>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
