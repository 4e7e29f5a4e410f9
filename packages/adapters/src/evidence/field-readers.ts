import { AdapterError } from '../adapter-error.ts';
import { childPath } from '../parsing/json-path.ts';
import { isRecord, type JsonRecord } from './values.ts';

/*
 * Readers for fields a format defines with a type: absent or null reads as undefined (formats evolve and drop
 * fields), a value of the wrong type is an `invalid` error naming the field's path.
 */

function wrongType(path: string, expected: string, value: unknown): AdapterError {
  const found = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return new AdapterError('invalid', `${path}: expected ${expected}, found ${found}`, { field: path });
}

export function requireRecord(value: unknown, path: string): JsonRecord {
  if (!isRecord(value)) throw wrongType(path, 'an object', value);
  return value;
}

export function readRecord(parent: JsonRecord, key: string, path: string): JsonRecord | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  return requireRecord(value, childPath(path, key));
}

export function readArray(parent: JsonRecord, key: string, path: string): unknown[] | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw wrongType(childPath(path, key), 'an array', value);
  return value;
}

export function readString(parent: JsonRecord, key: string, path: string): string | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw wrongType(childPath(path, key), 'a string', value);
  return value;
}

export function requireString(parent: JsonRecord, key: string, path: string): string {
  const value = readString(parent, key, path);
  if (value === undefined || value.trim() === '') {
    const field = childPath(path, key);
    throw new AdapterError('invalid', `${field}: a non-empty string is required`, { field });
  }
  return value;
}

/** Numbers; also the strings "NaN"/"Infinity" that protobuf JSON uses for non-finite doubles, read as null. */
export function readNumber(parent: JsonRecord, key: string, path: string): number | null | undefined {
  const value = parent[key];
  if (value === undefined) return undefined;
  if (value === null || value === 'NaN' || value === 'Infinity' || value === '-Infinity') return null;
  if (typeof value !== 'number') throw wrongType(childPath(path, key), 'a number', value);
  return value;
}

export function readBoolean(parent: JsonRecord, key: string, path: string): boolean | undefined {
  const value = parent[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw wrongType(childPath(path, key), 'a boolean', value);
  return value;
}
