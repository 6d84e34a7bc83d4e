/*
 * Go's time.Time and time.Duration as notification templates see them: Argo Rollouts offers
 * `.time.Now` and `.time.Parse` (utils/record/record.go's timeExprs: time.Now, and
 * time.Parse(time.RFC3339, s) that panics on a bad timestamp), which templates `call` and then
 * use through methods: {{ (call .time.Parse .rollout.metadata.creationTimestamp).Format "Jan 2" }}.
 * Times are kept as Unix seconds plus nanoseconds plus the zone offset they were parsed with, so
 * Format, Sub and printing follow Go exactly. Local is UTC: the controller runs in a container
 * without a time zone, where Go's Local is UTC too.
 */

const NANOS_PER_SECOND = 1_000_000_000n;

export class GoDuration {
  /** Nanoseconds, as Go's int64. */
  constructor(readonly nanos: bigint) {}

  /** time.Duration.String: "72h3m0.5s", "1.5s", "100ms", "0s". */
  toString(): string {
    let u = this.nanos < 0n ? -this.nanos : this.nanos;
    const sign = this.nanos < 0n ? '-' : '';
    if (u === 0n) return '0s';
    if (u < NANOS_PER_SECOND) {
      // Below a second: the largest unit among ns, µs, ms, with a fraction.
      const [unit, scale] = u < 1_000n ? ['ns', 1n] : u < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
      return `${sign}${fraction(u, scale)}${unit}`;
    }
    let out = `${fraction(u % (60n * NANOS_PER_SECOND), NANOS_PER_SECOND)}s`;
    u /= 60n * NANOS_PER_SECOND;
    if (u > 0n) {
      out = `${String(u % 60n)}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${String(u)}h${out}`;
    }
    return sign + out;
  }
}

/** value/scale with Go's trailing-zero-free fraction ("1.5", "2", "0.000000001"). */
function fraction(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const rest = value % scale;
  if (rest === 0n) return String(whole);
  const digits = String(scale).length - 1;
  return `${String(whole)}.${String(rest).padStart(digits, '0').replace(/0+$/, '')}`;
}

export class GoTime {
  constructor(
    /** Seconds since the Unix epoch. */
    readonly seconds: bigint,
    /** 0 to 999999999. */
    readonly nanos: number,
    /** The zone's offset east of UTC in seconds; `zoneName` '' prints the offset as its name, as Go's FixedZone("", …) does. */
    readonly offsetSeconds: number,
    readonly zoneName: string,
  ) {}

  static fromMillis(millis: number): GoTime {
    const seconds = Math.floor(millis / 1000);
    return new GoTime(BigInt(seconds), (millis - seconds * 1000) * 1_000_000, 0, 'UTC');
  }

  totalNanos(): bigint {
    return this.seconds * NANOS_PER_SECOND + BigInt(this.nanos);
  }

  /** The wall-clock fields in this time's zone. */
  fields(): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number; yearDay: number } {
    const date = new Date((Number(this.seconds) + this.offsetSeconds) * 1000);
    const year = date.getUTCFullYear();
    const yearStart = Date.UTC(year, 0, 1);
    return {
      year,
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
      weekday: date.getUTCDay(),
      yearDay: Math.floor((date.getTime() - yearStart) / 86_400_000) + 1,
    };
  }

  inUtc(): GoTime {
    return new GoTime(this.seconds, this.nanos, 0, 'UTC');
  }

  /** time.Time.String: "2006-01-02 15:04:05.999999999 -0700 MST". */
  toString(): string {
    return formatTime(this, '2006-01-02 15:04:05.999999999 -0700 MST');
  }
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (value: number, width: number, filler = '0'): string => String(value).padStart(width, filler);

/** The layout elements of Go's time.Format (nextStdChunk), longest first where one prefixes another. */
const LAYOUT_ELEMENTS =
  /January|Jan|Monday|Mon|MST|2006|2|__2|_2|002|01|02|03|04|05|06|15|1|3|4|5|PM|pm|Z07:00:00|Z070000|Z07:00|Z0700|Z07|-07:00:00|-070000|-07:00|-0700|-07|[.,](?:0+|9+)(?![0-9])/y;

/** time.Time.Format with Go's reference layout (Mon Jan 2 15:04:05 MST 2006). */
export function formatTime(time: GoTime, layout: string): string {
  const f = time.fields();
  let out = '';
  let i = 0;
  while (i < layout.length) {
    LAYOUT_ELEMENTS.lastIndex = i;
    const match = LAYOUT_ELEMENTS.exec(layout);
    const token = match?.[0];
    // Go reads "Jan"/"Mon" only when not followed by a lower-case letter ("Janet" is text); numbers likewise need context.
    if (token === undefined || ((token === 'Jan' || token === 'Mon') && /[a-z]/.test(layout[i + token.length] ?? ''))) {
      out += layout[i] ?? '';
      i += 1;
      continue;
    }
    out += element(token, time, f);
    i += token.length;
  }
  return out;
}

function element(token: string, time: GoTime, f: ReturnType<GoTime['fields']>): string {
  const hour12 = f.hour % 12 === 0 ? 12 : f.hour % 12;
  switch (token) {
    case 'January':
      return MONTHS[f.month - 1] ?? '';
    case 'Jan':
      return (MONTHS[f.month - 1] ?? '').slice(0, 3);
    case 'Monday':
      return DAYS[f.weekday] ?? '';
    case 'Mon':
      return (DAYS[f.weekday] ?? '').slice(0, 3);
    case 'MST':
      return zoneAbbreviation(time);
    case '2006':
      return pad(f.year, 4);
    case '06':
      return pad(f.year % 100, 2);
    case '01':
      return pad(f.month, 2);
    case '1':
      return String(f.month);
    case '02':
      return pad(f.day, 2);
    case '_2':
      return pad(f.day, 2, ' ');
    case '2':
      return String(f.day);
    case '__2':
      return pad(f.yearDay, 3, ' ');
    case '002':
      return pad(f.yearDay, 3);
    case '15':
      return pad(f.hour, 2);
    case '03':
      return pad(hour12, 2);
    case '3':
      return String(hour12);
    case '04':
      return pad(f.minute, 2);
    case '4':
      return String(f.minute);
    case '05':
      return pad(f.second, 2);
    case '5':
      return String(f.second);
    case 'PM':
      return f.hour >= 12 ? 'PM' : 'AM';
    case 'pm':
      return f.hour >= 12 ? 'pm' : 'am';
    default:
      break;
  }
  if (/^[.,]/.test(token)) {
    const digits = token.length - 1;
    const nanos = String(time.nanos).padStart(9, '0').slice(0, digits);
    // .000 keeps zeros; .999 drops trailing zeros and the separator when nothing is left.
    if (token[1] === '0') return `${token[0] ?? '.'}${nanos}`;
    const trimmed = nanos.replace(/0+$/, '');
    return trimmed === '' ? '' : `${token[0] ?? '.'}${trimmed}`;
  }
  // Zone offsets: Z forms print "Z" at UTC.
  if (token.startsWith('Z') && time.offsetSeconds === 0) return 'Z';
  const offset = Math.abs(time.offsetSeconds);
  const sign = time.offsetSeconds < 0 ? '-' : '+';
  const hours = pad(Math.floor(offset / 3600), 2);
  const minutes = pad(Math.floor(offset / 60) % 60, 2);
  const seconds = pad(offset % 60, 2);
  const shape = token.replace(/^Z/, '-');
  switch (shape) {
    case '-07':
      return `${sign}${hours}`;
    case '-0700':
      return `${sign}${hours}${minutes}`;
    case '-07:00':
      return `${sign}${hours}:${minutes}`;
    case '-070000':
      return `${sign}${hours}${minutes}${seconds}`;
    default:
      return `${sign}${hours}:${minutes}:${seconds}`;
  }
}

/** MST: the zone's name; an unnamed fixed zone prints its offset as -0700 (Go's stdTZ). */
function zoneAbbreviation(time: GoTime): string {
  if (time.zoneName !== '') return time.zoneName;
  const minutes = Math.abs(time.offsetSeconds) / 60;
  return `${time.offsetSeconds < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60), 2)}${pad(minutes % 60, 2)}`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** time.Parse(time.RFC3339, text), Argo's `.time.Parse`; throws Go's message on a bad timestamp. */
export function parseRfc3339(text: string): GoTime {
  const match = RFC3339.exec(text);
  const fail = (): never => {
    throw new Error(`parsing time ${JSON.stringify(text)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(text)} as "2006"`);
  };
  if (match === null) return fail();
  const [, year, month, day, hour, minute, second, fractionDigits, zone] = match;
  const numbers = [year, month, day, hour, minute, second].map(Number) as [number, number, number, number, number, number];
  const [y, mo, d, h, mi, s] = numbers;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const check = new Date(local);
  if (mo < 1 || mo > 12 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new Error(
      `parsing time ${JSON.stringify(text)}: ${mo < 1 || mo > 12 ? 'month' : check.getUTCDate() !== d ? 'day' : h > 23 ? 'hour' : mi > 59 ? 'minute' : 'second'} out of range`,
    );
  }
  let offset = 0;
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offset = sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  const nanos = fractionDigits === undefined ? 0 : Number(fractionDigits.padEnd(9, '0'));
  const seconds = BigInt(local / 1000 - offset);
  // Go names a parsed "Z" UTC; a numeric offset becomes an unnamed fixed zone (unless it is the local zone's, and Local is UTC).
  if (zone === 'Z' || zone === undefined) return new GoTime(seconds, nanos, 0, 'UTC');
  if (offset === 0) return new GoTime(seconds, nanos, 0, 'UTC');
  return new GoTime(seconds, nanos, offset, '');
}
