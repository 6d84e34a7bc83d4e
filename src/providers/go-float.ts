/*
 * Go's float formatting as Argo's providers write measurement values: strconv.FormatFloat(v,
 * 'f', -1, 64) (Datadog: the shortest digits, never an exponent) and fmt's %.2f (Wavefront).
 * Pure.
 */

/** strconv.FormatFloat(value, 'f', -1, 64). */
export function formatFloatF(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const text = String(value);
  const match = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/u.exec(text);
  if (match === null) return text;
  const [, sign = '', lead = '', fraction = '', exponentText = '0'] = match;
  const digits = lead + fraction;
  const exponent = Number(exponentText);
  if (exponent >= 0) {
    const whole = digits.padEnd(exponent + 1, '0');
    const rest = whole.slice(exponent + 1);
    return `${sign}${whole.slice(0, exponent + 1)}${rest === '' ? '' : `.${rest}`}`;
  }
  return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
}

/** fmt.Sprintf("%.2f", value). */
export function formatFloat2(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  return value.toFixed(2);
}
