import type { Value } from './parser.js';

/*
 * A value a host hands the evaluator that JSON cannot hold: a function in a map (Argo Rollouts
 * gives notification triggers `time.Now` and `time.Parse`), or a Go value with methods (the
 * time.Time those return, the time.Duration of a Sub). The evaluator knows none of them: it asks
 * the value to print, compare, combine and call itself, and a value that cannot answers with an
 * error the evaluator places at its column. Analysis conditions see only JSON, so none of this
 * reaches them unless a host passes such a value in.
 */
export abstract class HostValue {
  /** Go's %T of the value, for messages ("time.Time", "func() time.Time"). */
  abstract readonly typeName: string;

  /** Go's %v of the value. */
  abstract format(): string;

  equals(other: Value): boolean {
    return other === this;
  }

  /** Negative, zero or positive for <, ==, >; absent, or undefined, when the two cannot be compared. */
  compare?(other: Value): number | undefined;

  /** `this <operator> other` for + and -; absent, or undefined, when the operation is not defined for the two. */
  arithmetic?(operator: string, other: Value): Value | undefined;

  /** The value called as a function (`time.Now()`); absent when it is not a function. */
  call?(args: Value[]): Value;

  /** A method of the value (`t.Sub(u)`); throws for a name it does not have. */
  method?(name: string, args: Value[]): Value;
}
