// The final table of the gateway benchmark: one column per target, ratios against a reference, target, PASS/MISS. Pure.

export interface ComparisonRow {
  figure: string;
  /** By column name; undefined when that target was not measured (or failed). */
  values: Readonly<Record<string, number | undefined>>;
  format: (v: number) => string;
  target: string;
  /** Decides PASS/MISS from the row's values; undefined means "not decidable" (n/a). Rows without one are informational. */
  verdict?: (values: Readonly<Record<string, number | undefined>>) => boolean | undefined;
}

export interface Comparison {
  columns: readonly string[];
  /** Ratio columns: `name` shows values[of] / values[to]. */
  ratios: readonly { name: string; of: string; to: string }[];
  rows: readonly ComparisonRow[];
}

/** A Markdown table; "—" for a value or ratio that is missing, "n/a" for an undecidable verdict, "info" without one. */
export function renderComparison({ columns, ratios, rows }: Comparison): string {
  const lines = rows.map((row) => {
    const cells = columns.map((c) => (row.values[c] === undefined ? '—' : row.format(row.values[c])));
    const ratioCells = ratios.map(({ of, to }) => {
      const a = row.values[of];
      const b = row.values[to];
      return a !== undefined && b !== undefined && b !== 0 ? `${(a / b).toFixed(2)}×` : '—';
    });
    const decided = row.verdict?.(row.values);
    const verdict = !row.verdict ? 'info' : decided === undefined ? 'n/a' : decided ? 'PASS' : 'MISS';
    return [row.figure, ...cells, ...ratioCells, row.target, verdict];
  });
  const header = ['figure', ...columns, ...ratios.map((r) => r.name), 'target', 'result'];
  const targetColumn = header.length - 2;
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 || i === targetColumn ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [render(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(render)].join('\n');
}

export interface Row {
  figure: string;
  gateway?: number | undefined;
  baseline?: number | undefined;
  format: (v: number) => string;
  target: string;
  /** Decides PASS/MISS; rows without one are informational. */
  verdict?: (gateway: number, baseline: number) => boolean;
}

/** Two columns (gateway, baseline) and their ratio: the shape of the benchmarks that compare one target with one baseline. */
export function renderTable(rows: readonly Row[]): string {
  return renderComparison({
    columns: ['gateway', 'baseline'],
    ratios: [{ name: 'ratio', of: 'gateway', to: 'baseline' }],
    rows: rows.map(({ gateway, baseline, verdict, ...rest }) => ({
      ...rest,
      values: { gateway, baseline },
      ...(verdict ? { verdict: (v) => (v.gateway === undefined || v.baseline === undefined ? undefined : verdict(v.gateway, v.baseline)) } : {}),
    })),
  });
}
