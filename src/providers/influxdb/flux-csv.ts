/*
 * InfluxDB 2's annotated CSV (the /api/v2/query answer with the dialect's datatype, group and
 * default annotations), read as influxdb-client-go's QueryTableResult reads it: each table
 * starts with `#` annotation rows, then a header row, then records; a table whose header's
 * first column is `error` carries the query's error. Values take their column's datatype.
 * Pure. Format: https://docs.influxdata.com/influxdb/v2/reference/syntax/annotated-csv/
 */

export type FluxValue = string | number | boolean | null;

export type FluxRecords = { ok: true; values: FluxValue[]; error?: string } | { ok: false; message: string };

/** RFC 4180 rows (quoted fields, doubled quotes, CRLF or LF), as Go's encoding/csv reads them. */
export function csvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let index = 0;
  while (index < text.length) {
    const character = text[index] ?? '';
    if (quoted) {
      if (character === '"') {
        if (text[index + 1] === '"') {
          field += '"';
          index += 1;
        } else quoted = false;
      } else field += character;
    } else if (character === '"' && field === '') quoted = true;
    else if (character === ',') {
      row.push(field);
      field = '';
    } else if (character === '\n' || character === '\r') {
      if (character === '\r' && text[index + 1] === '\n') index += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += character;
    index += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function typed(text: string, datatype: string, column: string): { ok: true; value: FluxValue } | { ok: false; message: string } {
  if (text === '') return { ok: true, value: null };
  switch (datatype) {
    case 'string':
    case 'dateTime:RFC3339':
    case 'dateTime:RFC3339Nano':
    case 'duration':
    case 'base64Binary':
      return { ok: true, value: text };
    case 'double': {
      const value = Number(text);
      return Number.isNaN(value) && text !== 'NaN'
        ? { ok: false, message: `strconv.ParseFloat: parsing ${JSON.stringify(text)}: invalid syntax` }
        : { ok: true, value };
    }
    case 'long':
    case 'unsignedLong':
      return /^-?\d+$/u.test(text)
        ? { ok: true, value: Number(text) }
        : { ok: false, message: `strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax` };
    case 'boolean':
      return { ok: true, value: text.toLowerCase() !== 'false' };
    default:
      return { ok: false, message: `${column} has unknown data type ${datatype}` };
  }
}

/** Every record's `_value`, in order; a parse error or an error table ends the reading, keeping what came before. */
export function fluxValues(text: string): FluxRecords {
  const values: FluxValue[] = [];
  let datatypes: string[] | undefined;
  let defaults: string[] = [];
  let names: string[] | undefined;
  let inAnnotations = false;
  let errorTable = false;
  const stop = (message: string): FluxRecords => ({ ok: true, values, error: message });
  for (const row of csvRows(text)) {
    if (row.length <= 1) continue;
    const [first = '', ...cells] = row;
    if (first.startsWith('#')) {
      if (!inAnnotations) {
        datatypes = undefined;
        defaults = [];
        names = undefined;
        errorTable = false;
        inAnnotations = true;
      }
      if (first === '#datatype') datatypes = cells;
      else if (first === '#default') defaults = cells;
      continue;
    }
    if (first !== '') continue;
    if (inAnnotations || names === undefined) {
      if (datatypes === undefined)
        return stop(inAnnotations ? 'parsing error, datatype annotation not found' : 'parsing error, annotations not found');
      if (cells.length !== datatypes.length)
        return stop(
          `parsing error, row has different number of columns than the table: ${String(cells.length)} vs ${String(datatypes.length)}`,
        );
      inAnnotations = false;
      if (cells[0] === 'error') errorTable = true;
      names = cells;
      continue;
    }
    if (errorTable) {
      const message = cells[0] === undefined || cells[0] === '' ? 'unknown query error' : cells[0];
      const reference = cells[1] === undefined || cells[1] === '' ? '' : `,${cells[1]}`;
      return stop(`${message}${reference}`);
    }
    if (datatypes === undefined || cells.length !== datatypes.length)
      return stop(
        `parsing error, row has different number of columns than the table: ${String(cells.length)} vs ${String(datatypes?.length ?? 0)}`,
      );
    const column = names.indexOf('_value');
    if (column === -1) {
      values.push(null);
      continue;
    }
    const read = typed(cells[column] === '' ? (defaults[column] ?? '') : (cells[column] ?? ''), datatypes[column] ?? '', '_value');
    if (!read.ok) return stop(read.message);
    values.push(read.value);
  }
  return { ok: true, values };
}
