import { type GoField, type GoType, goElementStructs } from './go-structs.test-helper.js';

const INT32 = 2 ** 31;
const isInt = (value: unknown, min: number, max: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
const isList = (value: unknown, item: (v: unknown) => boolean) =>
  value === null || (Array.isArray(value) && value.every(item));

// What a value of each Go type can look like in Go's JSON (nil slices and pointers are null).
// An int64 beyond 2^53 parses to the nearest double, 2^63 included.
const accepts: Record<GoType, (value: unknown) => boolean> = {
  string: (v) => typeof v === 'string',
  '*string': (v) => v === null || typeof v === 'string',
  int: (v) => isInt(v, -(2 ** 63), 2 ** 63),
  int64: (v) => isInt(v, -(2 ** 63), 2 ** 63),
  int32: (v) => isInt(v, -INT32, INT32 - 1),
  '*int32': (v) => v === null || isInt(v, -INT32, INT32 - 1),
  uint32: (v) => isInt(v, 0, 2 ** 32 - 1),
  bool: (v) => typeof v === 'boolean',
  '[]string': (v) => isList(v, (item) => typeof item === 'string'),
  '[]int64': (v) => isList(v, (item) => isInt(item, -(2 ** 63), 2 ** 63)),
  '[]*sdkws.UserInfo': (v) => isList(v, (item) => typeof item === 'object' && item !== null),
  '[]*apistruct.GroupAddMemberInfo': (v) => isList(v, (item) => typeof item === 'object' && item !== null),
};

/**
 * Every way a parsed body differs from what Go's encoder writes for
 * `fields`: its keys (names and order, at the top level and in array
 * elements) and the types of their values. Empty when it could be Go's.
 */
export function goShapeProblems(body: Record<string, unknown>, fields: readonly GoField[], path = ''): string[] {
  const problems: string[] = [];
  const keys = Object.keys(body);
  const expected = fields.map(([key]) => key);
  if (keys.join() !== expected.join()) problems.push(`${path || 'body'} keys: [${keys}], Go writes [${expected}]`);
  for (const [key, type] of fields) {
    if (!(key in body)) continue;
    const value = body[key];
    if (!accepts[type](value)) problems.push(`${path}${key}: ${JSON.stringify(value)} is not a Go ${type}`);
    const element = goElementStructs[type];
    if (element && Array.isArray(value)) {
      value.forEach((item, i) => {
        problems.push(...goShapeProblems(item as Record<string, unknown>, element.fields, `${path}${key}[${i}].`));
      });
    }
  }
  return problems;
}
