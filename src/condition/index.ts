import { BUILTINS } from './builtins.js';
import { evaluate, newScope } from './evaluate.js';
import { ConditionSyntaxError } from './lexer.js';
import { PREDICATE_BUILTINS, parseCondition, type Node, type Value } from './parser.js';
import { compilePattern } from './regexp.js';
import { ConditionEvaluationError, formatValue, typeName } from './values.js';

/** Outside the evaluator values are JSON; inside, a host may add its own (ExprValue). */
export type { JsonValue as Value, Value as ExprValue } from './parser.js';
export { HostValue } from './host-value.js';

/*
 * successCondition / failureCondition, as Argo evaluates them (Go `expr`): parsed once into an
 * AST by compileCondition, evaluated per measurement by evaluateCondition. Neither ever
 * throws: a bad condition is a value naming the column, so a template with a typo is an
 * InvalidSpec, and a measurement whose value does not fit the condition is an Error
 * measurement — never a crashed controller.
 */

/** The longest condition accepted; real ones are a line. */
const MAX_CONDITION_LENGTH = 10_000;

/** The names a condition may use: Argo puts the measurement in `result`. */
export const CONDITION_VARIABLES: readonly string[] = ['result'];

export interface CompiledCondition {
  source: string;
  tree: Node;
}

export interface ConditionError {
  message: string;
  /** 1-based column in the source. */
  column: number;
}

export type CompileResult = { ok: true; condition: CompiledCondition } | { ok: false; error: ConditionError };
export type EvaluationResult = { ok: true; value: boolean } | { ok: false; error: ConditionError };

/**
 * The source column of a character of a string literal's decoded text: the literal starts at
 * `literalColumn` (its quote), and an escape such as `\\` takes two source characters for one.
 */
function literalColumn(source: string, literalColumnAt: number, decodedOffset: number): number {
  const quote = source[literalColumnAt - 1];
  let at = literalColumnAt;
  for (let decoded = 0; decoded < decodedOffset && at < source.length; decoded += 1) {
    if (source[at] === '\\' && quote !== '`') {
      const escaped = source[at + 1];
      at += escaped === 'u' ? 6 : escaped === 'x' ? 4 : 2;
    } else {
      at += 1;
    }
  }
  return at + 1;
}

/** Names are known, and a pattern written as a literal is a valid Go regular expression (expr checks it when compiling too). */
function checkNames(node: Node, variables: ReadonlySet<string>, source: string): void {
  const visit = (child: Node | undefined): void => {
    if (child !== undefined) checkNames(child, variables, source);
  };
  switch (node.type) {
    case 'identifier':
      if (!variables.has(node.name)) throw new ConditionSyntaxError(`unknown name ${node.name}`, node.column);
      return;
    case 'call':
      if (!Object.hasOwn(BUILTINS, node.callee) && !PREDICATE_BUILTINS.has(node.callee))
        throw new ConditionSyntaxError(`unknown function ${node.callee}`, node.column);
      node.args.forEach(visit);
      return;
    case 'member':
      visit(node.object);
      return;
    case 'method':
      visit(node.object);
      node.args.forEach(visit);
      return;
    case 'index':
      visit(node.object);
      visit(node.index);
      return;
    case 'slice':
      visit(node.object);
      visit(node.from);
      visit(node.to);
      return;
    case 'closure':
      visit(node.body);
      return;
    case 'unary':
      visit(node.operand);
      return;
    case 'binary':
      if (node.operator === 'matches' && node.right.type === 'literal' && typeof node.right.value === 'string') {
        const pattern = compilePattern(node.right.value);
        if (!pattern.ok) {
          const column = literalColumn(source, node.right.column, pattern.offset);
          throw new ConditionSyntaxError(`invalid regular expression ${JSON.stringify(node.right.value)}: ${pattern.message}`, column);
        }
      }
      visit(node.left);
      visit(node.right);
      return;
    case 'conditional':
      visit(node.test);
      visit(node.consequent);
      visit(node.alternate);
      return;
    case 'array':
      node.elements.forEach(visit);
      return;
    case 'map':
      for (const [key, value] of node.entries) {
        visit(key);
        visit(value);
      }
      return;
    case 'literal':
    case 'pointer':
      return;
  }
}

export function compileCondition(source: string, variables: readonly string[] = CONDITION_VARIABLES): CompileResult {
  if (source.length > MAX_CONDITION_LENGTH)
    return {
      ok: false,
      error: { message: `condition longer than ${String(MAX_CONDITION_LENGTH)} characters`, column: MAX_CONDITION_LENGTH + 1 },
    };
  if (source.trim() === '') return { ok: false, error: { message: 'empty condition', column: 1 } };
  try {
    const tree = parseCondition(source);
    checkNames(tree, new Set(variables), source);
    return { ok: true, condition: { source, tree } };
  } catch (cause) {
    if (cause instanceof ConditionSyntaxError) return { ok: false, error: { message: cause.message, column: cause.column } };
    // Only a nesting deep enough to exhaust the stack gets here.
    if (cause instanceof RangeError) return { ok: false, error: { message: 'condition nested too deeply', column: 1 } };
    throw cause;
  }
}

/** Evaluates to the boolean the condition must produce; anything else is an error, as in Argo. */
export function evaluateCondition(condition: CompiledCondition, variables: Readonly<Record<string, Value>>): EvaluationResult {
  try {
    const value = evaluate(condition.tree, newScope(variables));
    if (typeof value !== 'boolean')
      return { ok: false, error: { message: `expected bool, but got ${typeName(value)} (${formatValue(value)})`, column: 1 } };
    return { ok: true, value };
  } catch (cause) {
    if (cause instanceof ConditionEvaluationError) return { ok: false, error: { message: cause.message, column: cause.column } };
    if (cause instanceof RangeError) return { ok: false, error: { message: 'condition nested too deeply', column: 1 } };
    throw cause;
  }
}

/**
 * Evaluates to whatever the expression produces (a notification trigger's oncePer, or its `when`, which sends only
 * when it is exactly true, as notifications-engine's `res, ok := val.(bool); ok && res`).
 */
export function evaluateExpression(
  condition: CompiledCondition,
  variables: Readonly<Record<string, Value>>,
): { ok: true; value: Value } | { ok: false; error: ConditionError } {
  try {
    return { ok: true, value: evaluate(condition.tree, newScope(variables)) };
  } catch (cause) {
    if (cause instanceof ConditionEvaluationError) return { ok: false, error: { message: cause.message, column: cause.column } };
    if (cause instanceof RangeError) return { ok: false, error: { message: 'condition nested too deeply', column: 1 } };
    throw cause;
  }
}

/** `file.yaml metric "error-rate": failureCondition "…": column 7: unknown name reslt`: the place and the cause, for conditions and logs. */
export function describeConditionError(error: ConditionError, context: { metric: string; field: string; source: string }): string {
  return `metric ${JSON.stringify(context.metric)}: ${context.field} ${JSON.stringify(context.source)}: column ${String(error.column)}: ${error.message}`;
}
