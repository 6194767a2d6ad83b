import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * DynamoDB condition, filter and update expressions, as far as a small table needs them:
 * comparisons (= <> < <= > >=) of top-level attributes and values, IN, AND/OR/NOT,
 * parentheses, attribute_exists/attribute_not_exists; updates `SET a = :v, ...` and
 * `REMOVE a, ...`. Anything else throws a ValidationException, as DynamoDB would refuse it.
 */

export interface ExpressionContext {
  readonly ExpressionAttributeNames?: Record<string, string>;
  readonly ExpressionAttributeValues?: Record<string, AttributeValue>;
}

type Item = Record<string, AttributeValue> | undefined;

function validation(message: string): Error {
  const err = new Error(message);
  err.name = 'ValidationException';
  return err;
}

function tokenize(expression: string): string[] {
  const tokens = expression.match(/\s*(<>|<=|>=|[=<>(),]|[#:]?[A-Za-z_][A-Za-z0-9_]*)\s*/g);
  if (!tokens || tokens.join('').replace(/\s/g, '') !== expression.replace(/\s/g, '')) {
    throw validation(`Invalid expression: ${expression}`);
  }
  return tokens.map((t) => t.trim());
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: string[], private readonly item: Item, private readonly ctx: ExpressionContext) {}

  parse(): boolean {
    const value = this.or();
    if (this.pos !== this.tokens.length) throw validation(`Unexpected token ${this.tokens[this.pos]}`);
    return value;
  }

  private peek(): string | undefined {
    return this.tokens[this.pos];
  }

  private take(expected?: string): string {
    const token = this.tokens[this.pos++];
    if (token === undefined || (expected !== undefined && token.toUpperCase() !== expected)) {
      throw validation(`Expected ${expected ?? 'a token'}, got ${token}`);
    }
    return token;
  }

  private or(): boolean {
    let value = this.and();
    while (this.peek()?.toUpperCase() === 'OR') {
      this.take();
      const right = this.and();
      value = value || right;
    }
    return value;
  }

  private and(): boolean {
    let value = this.not();
    while (this.peek()?.toUpperCase() === 'AND') {
      this.take();
      const right = this.not();
      value = value && right;
    }
    return value;
  }

  private not(): boolean {
    if (this.peek()?.toUpperCase() === 'NOT') {
      this.take();
      return !this.not();
    }
    return this.primary();
  }

  private primary(): boolean {
    const token = this.peek();
    if (token === '(') {
      this.take();
      const value = this.or();
      this.take(')');
      return value;
    }
    if (token === 'attribute_exists' || token === 'attribute_not_exists') {
      this.take();
      this.take('(');
      const name = attributeName(this.take(), this.ctx);
      this.take(')');
      const exists = this.item?.[name] !== undefined;
      return token === 'attribute_exists' ? exists : !exists;
    }
    const left = this.operand();
    const op = this.take();
    if (op.toUpperCase() === 'IN') {
      this.take('(');
      const candidates = [this.operand()];
      while (this.peek() === ',') {
        this.take();
        candidates.push(this.operand());
      }
      this.take(')');
      return candidates.some((c) => compare(left, c) === 0);
    }
    const right = this.operand();
    const order = compare(left, right);
    switch (op) {
      case '=': return order === 0;
      case '<>': return order !== 0;
      case '<': return order !== undefined && order < 0;
      case '<=': return order !== undefined && order <= 0;
      case '>': return order !== undefined && order > 0;
      case '>=': return order !== undefined && order >= 0;
      default: throw validation(`Unknown comparator ${op}`);
    }
  }

  private operand(): AttributeValue | undefined {
    const token = this.take();
    if (token.startsWith(':')) return valueOf(token, this.ctx);
    return this.item?.[attributeName(token, this.ctx)];
  }
}

function attributeName(token: string, ctx: ExpressionContext): string {
  if (token.startsWith('#')) {
    const name = ctx.ExpressionAttributeNames?.[token];
    if (name === undefined) throw validation(`Undefined attribute name ${token}`);
    return name;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) throw validation(`Invalid attribute name ${token}`);
  return token;
}

function valueOf(token: string, ctx: ExpressionContext): AttributeValue {
  const value = ctx.ExpressionAttributeValues?.[token];
  if (value === undefined) throw validation(`Undefined attribute value ${token}`);
  return value;
}

/** -1/0/1 for values of the same scalar type; undefined when they cannot be ordered (missing, other types). */
function compare(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (a.N !== undefined && b.N !== undefined) return Math.sign(Number(a.N) - Number(b.N));
  if (a.S !== undefined && b.S !== undefined) return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  if (a.BOOL !== undefined && b.BOOL !== undefined) return a.BOOL === b.BOOL ? 0 : undefined;
  return JSON.stringify(a) === JSON.stringify(b) ? 0 : undefined;
}

export function evaluateCondition(expression: string, item: Item, ctx: ExpressionContext): boolean {
  return new Parser(tokenize(expression), item, ctx).parse();
}

/** Applies `SET a = :v, #b = :w REMOVE c` to a copy of the item and returns it. */
export function applyUpdate(expression: string, item: Record<string, AttributeValue>, ctx: ExpressionContext): Record<string, AttributeValue> {
  const tokens = tokenize(expression);
  let pos = 0;
  let clause: 'SET' | 'REMOVE' | undefined;
  while (pos < tokens.length) {
    const token = tokens[pos];
    if (token.toUpperCase() === 'SET' || token.toUpperCase() === 'REMOVE') {
      clause = token.toUpperCase() as 'SET' | 'REMOVE';
      pos++;
      continue;
    }
    if (token === ',') {
      pos++;
      continue;
    }
    const name = attributeName(token, ctx);
    if (name === 'pk') throw validation('Cannot update attribute pk. This attribute is part of the key');
    if (clause === 'SET') {
      if (tokens[pos + 1] !== '=' || !tokens[pos + 2]?.startsWith(':')) throw validation(`Invalid SET action at ${token}`);
      item[name] = valueOf(tokens[pos + 2], ctx);
      pos += 3;
    } else if (clause === 'REMOVE') {
      delete item[name];
      pos++;
    } else {
      throw validation(`Invalid update expression: ${expression}`);
    }
  }
  return item;
}
