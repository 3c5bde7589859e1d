// The final table of the gateway benchmark: figure, gateway, baseline, ratio, target, PASS/MISS. Pure.

export interface Row {
  figure: string;
  gateway?: number | undefined;
  baseline?: number | undefined;
  format: (v: number) => string;
  target: string;
  /** Decides PASS/MISS; rows without one are informational. */
  verdict?: (gateway: number, baseline: number) => boolean;
}

/** A Markdown table; "n/a" when a side is missing, "info" for rows without a verdict. */
export function renderTable(rows: readonly Row[]): string {
  const lines = rows.map((row) => {
    const g = row.gateway;
    const b = row.baseline;
    const ratio = g !== undefined && b !== undefined && b !== 0 ? `${(g / b).toFixed(2)}×` : '—';
    const verdict = !row.verdict ? 'info' : g === undefined || b === undefined ? 'n/a' : row.verdict(g, b) ? 'PASS' : 'MISS';
    return [row.figure, g === undefined ? '—' : row.format(g), b === undefined ? '—' : row.format(b), ratio, row.target, verdict];
  });
  const header = ['figure', 'gateway', 'baseline', 'ratio', 'target', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}
