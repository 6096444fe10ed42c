// A table of rows: one header cell per column, one row per item. The results pages, the figures' data
// tables and the talks room draw their tables with it.
import type { Key, ReactNode } from 'react';

export function DataTable<T>({
  head,
  rows,
  cells,
  rowKey,
  className,
  caption,
  numeric = [],
  classes = [],
  rowClass,
  label,
  testId,
}: {
  /** The column headers. */
  head: ReactNode[];
  rows: readonly T[];
  /** A row's cells, one per column. */
  cells: (row: T, index: number) => ReactNode[];
  rowKey: (row: T, index: number) => Key;
  className?: string;
  caption?: ReactNode;
  /** The columns of numbers (right-aligned: class `num`). */
  numeric?: number[];
  /** Each column's cell class (instead of `num`). */
  classes?: (string | undefined)[];
  rowClass?: (row: T) => string;
  /** The table's accessible name. */
  label?: string;
  testId?: string;
}) {
  return (
    <table className={className} data-testid={testId} aria-label={label}>
      {caption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          {head.map((h, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
            <th key={i} scope="col">
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={rowKey(r, i)} className={rowClass?.(r)}>
            {cells(r, i).map((c, j) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the columns are fixed
              <td key={j} className={classes[j] ?? (numeric.includes(j) ? 'num' : undefined)}>
                {c}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
