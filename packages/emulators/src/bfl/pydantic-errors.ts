/** One entry of FastAPI's 422 `detail` list, in pydantic v2's shape. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** Collects issues for one request, so a 422 lists every problem at once as FastAPI does. */
export class IssueList {
  readonly issues: ValidationIssue[] = [];

  /** Records an issue on `body.<field>` (or on `body` itself when `field` is undefined). */
  add(field: string | undefined, type: string, msg: string, input: unknown, ctx?: Record<string, unknown>): void {
    const issue: ValidationIssue = { type, loc: field === undefined ? ['body'] : ['body', field], msg, input };
    if (ctx !== undefined) issue.ctx = ctx;
    this.issues.push(issue);
  }
}

type Fields = Record<string, unknown>;

/** Reads an optional (nullable) integer with pydantic's lax parsing of numeric strings. */
export function readInt(
  body: Fields,
  name: string,
  issues: IssueList,
  limits: { ge?: number; le?: number; multipleOf?: number } = {},
): number | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  let value: number;
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) {
      issues.add(name, 'int_from_float', 'Input should be a valid integer, got a number with a fractional part', raw);
      return undefined;
    }
    value = raw;
  } else if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) {
    value = Number(raw);
  } else if (typeof raw === 'string') {
    issues.add(name, 'int_parsing', 'Input should be a valid integer, unable to parse string as an integer', raw);
    return undefined;
  } else {
    issues.add(name, 'int_type', 'Input should be a valid integer', raw);
    return undefined;
  }
  return checkLimits(name, value, raw, issues, limits) ? value : undefined;
}

/** Reads an optional (nullable) number. */
export function readNumber(
  body: Fields,
  name: string,
  issues: IssueList,
  limits: { ge?: number; le?: number } = {},
): number | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const parsing = typeof raw === 'string';
    issues.add(
      name,
      parsing ? 'float_parsing' : 'float_type',
      parsing ? 'Input should be a valid number, unable to parse string as a number' : 'Input should be a valid number',
      raw,
    );
    return undefined;
  }
  return checkLimits(name, value, raw, issues, limits) ? value : undefined;
}

function checkLimits(
  name: string,
  value: number,
  raw: unknown,
  issues: IssueList,
  limits: { ge?: number; le?: number; multipleOf?: number },
): boolean {
  if (limits.ge !== undefined && value < limits.ge) {
    issues.add(name, 'greater_than_equal', `Input should be greater than or equal to ${limits.ge}`, raw, {
      ge: limits.ge,
    });
    return false;
  }
  if (limits.le !== undefined && value > limits.le) {
    issues.add(name, 'less_than_equal', `Input should be less than or equal to ${limits.le}`, raw, { le: limits.le });
    return false;
  }
  if (limits.multipleOf !== undefined && value % limits.multipleOf !== 0) {
    issues.add(name, 'multiple_of', `Input should be a multiple of ${limits.multipleOf}`, raw, {
      multiple_of: limits.multipleOf,
    });
    return false;
  }
  return true;
}

const TRUE_WORDS = ['true', '1', 'yes', 'on', 't', 'y'];
const FALSE_WORDS = ['false', '0', 'no', 'off', 'f', 'n'];

/** Reads an optional (nullable) boolean with pydantic's lax parsing. */
export function readBool(body: Fields, name: string, issues: IssueList): boolean | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'boolean') return raw;
  if (raw === 0 || raw === 1) return raw === 1;
  if (typeof raw === 'string') {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.includes(word)) return true;
    if (FALSE_WORDS.includes(word)) return false;
    issues.add(name, 'bool_parsing', 'Input should be a valid boolean, unable to interpret input', raw);
    return undefined;
  }
  issues.add(name, 'bool_type', 'Input should be a valid boolean', raw);
  return undefined;
}

/** Reads an optional (nullable) string. */
export function readString(body: Fields, name: string, issues: IssueList): string | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') {
    issues.add(name, 'string_type', 'Input should be a valid string', raw);
    return undefined;
  }
  return raw;
}

/** Reads an optional enum member, with pydantic's "Input should be 'a', 'b' or 'c'" message. */
export function readEnum<T extends string>(
  body: Fields,
  name: string,
  allowed: readonly T[],
  issues: IssueList,
): T | undefined {
  const raw = body[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  const quoted = allowed.map((value) => `'${value}'`);
  const expected =
    quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1) ?? ''}`;
  issues.add(name, 'enum', `Input should be ${expected}`, raw, { expected });
  return undefined;
}
