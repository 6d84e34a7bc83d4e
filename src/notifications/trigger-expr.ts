import { compileCondition, evaluateExpression, HostValue, type CompiledCondition, type ExprValue } from '../condition/index.js';
import { GoDuration, GoTime, formatTime, parseRfc3339 } from './go-time.js';

/*
 * Triggers' `when` and `oncePer`, in the expression language analysis conditions use (src/condition:
 * one parser and evaluator for Argo's expr-lang): notifications-engine compiles them with expr and runs
 * them over Argo Rollouts' variables, `rollout` (the Rollout as JSON) and `time` (record.go's
 * timeExprs: Now, and Parse, time.Parse(time.RFC3339, s) panicking on a bad timestamp). The times they
 * return are Go's time.Time, with the methods triggers use (Sub, Add, Before, After, Equal, Unix,
 * Format); a Sub is a time.Duration (Hours, Minutes, Seconds, …), comparable with numbers as
 * nanoseconds, as expr compares a Duration with an int. `secrets` is not offered (see template-vars.ts).
 */

/** The names a trigger expression may use. */
export const TRIGGER_VARIABLES: readonly string[] = ['rollout', 'time'];

const NANOS_PER_MILLI = 1_000_000n;

function argument<T>(name: string, args: readonly ExprValue[], index: number, type: new (...parameters: never[]) => T, goType: string): T {
  const value = args[index];
  if (!(value instanceof type))
    throw new Error(
      `${name}: argument ${String(index + 1)} is ${value instanceof HostValue ? value.typeName : typeof value}, not ${goType}`,
    );
  return value;
}

function arity(name: string, args: readonly ExprValue[], count: number): void {
  if (args.length !== count) throw new Error(`${name}: expected ${String(count)} arguments, got ${String(args.length)}`);
}

export class DurationValue extends HostValue {
  readonly typeName = 'time.Duration';
  constructor(readonly duration: GoDuration) {
    super();
  }
  format(): string {
    return this.duration.toString();
  }
  private nanos(other: ExprValue): bigint | undefined {
    if (other instanceof DurationValue) return other.duration.nanos;
    if (typeof other === 'number' && Number.isInteger(other)) return BigInt(other);
    return undefined;
  }
  override equals(other: ExprValue): boolean {
    return other instanceof DurationValue && other.duration.nanos === this.duration.nanos;
  }
  override compare(other: ExprValue): number | undefined {
    const nanos = this.nanos(other);
    if (nanos === undefined) return undefined;
    return this.duration.nanos < nanos ? -1 : this.duration.nanos > nanos ? 1 : 0;
  }
  override arithmetic(operator: string, other: ExprValue): ExprValue | undefined {
    if (!(other instanceof DurationValue) || (operator !== '+' && operator !== '-')) return undefined;
    return new DurationValue(new GoDuration(this.duration.nanos + (operator === '+' ? 1n : -1n) * other.duration.nanos));
  }
  override method(name: string, args: ExprValue[]): ExprValue {
    arity(`Duration.${name}`, args, 0);
    const nanos = this.duration.nanos;
    switch (name) {
      case 'Hours':
        return Number(nanos) / 3.6e12;
      case 'Minutes':
        return Number(nanos) / 6e10;
      case 'Seconds':
        return Number(nanos) / 1e9;
      case 'Milliseconds':
        return Number(nanos / NANOS_PER_MILLI);
      case 'Nanoseconds':
        return Number(nanos);
      case 'String':
        return this.duration.toString();
      default:
        throw new Error(`type ${this.typeName} has no method ${name}`);
    }
  }
}

export class TimeValue extends HostValue {
  readonly typeName = 'time.Time';
  constructor(readonly time: GoTime) {
    super();
  }
  format(): string {
    return this.time.toString();
  }
  override equals(other: ExprValue): boolean {
    return other instanceof TimeValue && other.time.totalNanos() === this.time.totalNanos();
  }
  override compare(other: ExprValue): number | undefined {
    if (!(other instanceof TimeValue)) return undefined;
    const [a, b] = [this.time.totalNanos(), other.time.totalNanos()];
    return a < b ? -1 : a > b ? 1 : 0;
  }
  override arithmetic(operator: string, other: ExprValue): ExprValue | undefined {
    if (operator === '-' && other instanceof TimeValue) return this.sub(other);
    if ((operator === '+' || operator === '-') && other instanceof DurationValue)
      return this.add(operator === '+' ? other.duration.nanos : -other.duration.nanos);
    return undefined;
  }
  private sub(other: TimeValue): DurationValue {
    return new DurationValue(new GoDuration(this.time.totalNanos() - other.time.totalNanos()));
  }
  private add(nanos: bigint): TimeValue {
    const total = this.time.totalNanos() + nanos;
    const seconds = total / 1_000_000_000n - (total % 1_000_000_000n < 0n ? 1n : 0n);
    return new TimeValue(new GoTime(seconds, Number(total - seconds * 1_000_000_000n), this.time.offsetSeconds, this.time.zoneName));
  }
  override method(name: string, args: ExprValue[]): ExprValue {
    switch (name) {
      case 'Sub':
        arity('Time.Sub', args, 1);
        return this.sub(argument('Time.Sub', args, 0, TimeValue, 'time.Time'));
      case 'Add':
        arity('Time.Add', args, 1);
        return this.add(argument('Time.Add', args, 0, DurationValue, 'time.Duration').duration.nanos);
      case 'Before':
      case 'After':
      case 'Equal': {
        arity(`Time.${name}`, args, 1);
        const order = this.compare(argument(`Time.${name}`, args, 0, TimeValue, 'time.Time')) ?? 0;
        return name === 'Before' ? order < 0 : name === 'After' ? order > 0 : order === 0;
      }
      case 'Unix':
        arity('Time.Unix', args, 0);
        return Number(this.time.seconds);
      case 'UnixMilli':
        arity('Time.UnixMilli', args, 0);
        return Number(this.time.totalNanos() / NANOS_PER_MILLI);
      case 'IsZero':
        arity('Time.IsZero', args, 0);
        // Go's zero time is January 1, year 1, 00:00:00 UTC.
        return this.time.seconds === -62_135_596_800n && this.time.nanos === 0;
      case 'Format': {
        arity('Time.Format', args, 1);
        const [layout] = args;
        if (typeof layout !== 'string') throw new Error('Time.Format: the layout is not a string');
        return formatTime(this.time, layout);
      }
      case 'String':
        arity('Time.String', args, 0);
        return this.time.toString();
      default:
        throw new Error(`type ${this.typeName} has no method ${name}`);
    }
  }
}

/** A Go function in a map (record.go's timeExprs). */
class FunctionValue extends HostValue {
  constructor(
    readonly typeName: string,
    private readonly run: (args: ExprValue[]) => ExprValue,
  ) {
    super();
  }
  format(): string {
    return this.typeName;
  }
  override call(args: ExprValue[]): ExprValue {
    return this.run(args);
  }
}

/** `time`, as Argo Rollouts gives it to triggers: Now reads the injected clock (a trigger without one that calls it fails). */
export function triggerTime(nowMillis: number | undefined): ExprValue {
  return {
    Now: new FunctionValue('func() time.Time', (args) => {
      arity('time.Now', args, 0);
      if (nowMillis === undefined) throw new Error('time.Now: no clock was given to the trigger');
      return new TimeValue(GoTime.fromMillis(nowMillis));
    }),
    Parse: new FunctionValue('func(string) time.Time', (args) => {
      arity('time.Parse', args, 1);
      const [text] = args;
      if (typeof text !== 'string') throw new Error(`time.Parse: the timestamp is not a string`);
      return new TimeValue(parseRfc3339(text));
    }),
  };
}

export interface CompiledExpr {
  readonly source: string;
  /** The expression's value; throws an Error naming the column and the source when it fails, as expr's run does. */
  evaluate(variables: Readonly<Record<string, unknown>>): unknown;
}

/** Compiles a `when` or `oncePer`; throws an Error naming the column and the source when it is not a valid expression. */
export function compileExpr(source: string): CompiledExpr {
  const compiled = compileCondition(source, TRIGGER_VARIABLES);
  if (!compiled.ok) throw new Error(`${compiled.error.message} (column ${String(compiled.error.column)} of ${JSON.stringify(source)})`);
  const condition: CompiledCondition = compiled.condition;
  return {
    source,
    evaluate(variables) {
      // The Rollout is JSON read from the API server; anything else comes from triggerTime.
      const result = evaluateExpression(condition, variables as Readonly<Record<string, ExprValue>>);
      if (!result.ok) throw new Error(`${result.error.message} (column ${String(result.error.column)} of ${JSON.stringify(source)})`);
      return result.value;
    },
  };
}

/** fmt's %v of an oncePer result, as notifications-engine keys the notified annotation with it. */
export function formatOncePer(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof HostValue) return value.format();
  return JSON.stringify(value);
}
