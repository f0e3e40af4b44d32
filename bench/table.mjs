// Table formatting shared by the bench sections, so every table lines up the same way.

/** A number with fixed digits, or n/a when there is no figure. */
export const fmt = (value, digits = 1) => (value === null || value === undefined ? 'n/a' : value.toFixed(digits));

/** One table row: cells padded to their column widths, trailing blanks trimmed. */
export const row = (cells, widths) => cells.map((cell, i) => String(cell).padEnd(widths[i] ?? 0)).join('  ').trimEnd();

/** The verdict printed next to a bar. */
export const passFail = (ok) => (ok ? 'PASS' : 'FAIL');
