// Pure: validates a value against a structural schema, returning field errors worded like the apiserver's.
import { isJsonObject, deepEqual, type JsonValue } from '../patch/json-value.ts';
import type { FieldError } from '../api/status.ts';
import { childPath, type StructuralSchema } from './structural-schema.ts';

function jsonType(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: JsonValue): string {
  if (isJsonObject(v)) return '"object"';
  if (Array.isArray(v)) return '"array"';
  return JSON.stringify(v);
}

function typeMatches(type: string, v: JsonValue): boolean {
  switch (type) {
    case 'object': return isJsonObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

/** Validates `value` (at field path `path`) and appends errors to `errors`. */
export function validateValue(value: JsonValue, schema: StructuralSchema, path: string, errors: FieldError[]): void {
  const invalid = (detail: string): void => {
    errors.push({ field: path, reason: 'FieldValueInvalid', message: `Invalid value: ${show(value)}: ${path} in body ${detail}` });
  };
  if (value === null) {
    if (schema.nullable === true) return;
    if (schema.type !== undefined) {
      errors.push({ field: path, reason: 'FieldValueTypeInvalid', message: `Invalid value: "null": ${path} in body must be of type ${schema.type}: "null"` });
    }
    return;
  }
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (!(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      errors.push({ field: path, reason: 'FieldValueTypeInvalid', message: `Invalid value: "${jsonType(value)}": ${path} in body must be of type integer,string: "${jsonType(value)}"` });
      return;
    }
  } else if (schema.type !== undefined && !typeMatches(schema.type, value)) {
    errors.push({ field: path, reason: 'FieldValueTypeInvalid', message: `Invalid value: "${jsonType(value)}": ${path} in body must be of type ${schema.type}: "${jsonType(value)}"` });
    return;
  }
  if (schema.enum !== undefined && !schema.enum.some((e) => deepEqual(e, value))) {
    errors.push({
      field: path, reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${show(value)}: supported values: ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`,
    });
  }
  if (typeof value === 'number') {
    if (schema.maximum !== undefined) {
      if (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum) {
        invalid(`should be less than ${schema.exclusiveMaximum === true ? '' : 'or equal to '}${schema.maximum}`);
      }
    }
    if (schema.minimum !== undefined) {
      if (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum) {
        invalid(`should be greater than ${schema.exclusiveMinimum === true ? '' : 'or equal to '}${schema.minimum}`);
      }
    }
    if (schema.multipleOf !== undefined && value % schema.multipleOf !== 0) invalid(`should be a multiple of ${schema.multipleOf}`);
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) {
      errors.push({ field: path, reason: 'FieldValueTooLong', message: `Too long: may not be more than ${schema.maxLength} bytes` });
    }
    if (schema.minLength !== undefined && length < schema.minLength) invalid(`should be at least ${schema.minLength} chars long`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) invalid(`should match '${schema.pattern}'`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({ field: path, reason: 'FieldValueTooMany', message: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
    }
    if (schema.minItems !== undefined && value.length < schema.minItems) invalid(`should have at least ${schema.minItems} items`);
    if (schema.uniqueItems === true && value.some((v, i) => value.findIndex((w) => deepEqual(v, w)) !== i)) {
      errors.push({ field: path, reason: 'FieldValueDuplicate', message: `Duplicate value: ${show(value)}` });
    }
    if (schema.items !== undefined) value.forEach((item, i) => validateValue(item, schema.items!, childPath(path, i), errors));
  }
  if (isJsonObject(value)) {
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) errors.push({ field: childPath(path, key), reason: 'FieldValueRequired', message: 'Required value' });
    }
    const count = Object.keys(value).length;
    if (schema.maxProperties !== undefined && count > schema.maxProperties) {
      errors.push({ field: path, reason: 'FieldValueTooMany', message: `Too many: ${count}: must have at most ${schema.maxProperties} items` });
    }
    if (schema.minProperties !== undefined && count < schema.minProperties) invalid(`should have at least ${schema.minProperties} properties`);
    for (const [key, v] of Object.entries(value)) {
      const prop = schema.properties?.[key] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (prop !== undefined) validateValue(v, prop, childPath(path, key), errors);
    }
  }
}

/** Validates a whole custom resource; the root's apiVersion, kind and metadata are the server's business. */
export function validateObject(obj: JsonValue, schema: StructuralSchema): FieldError[] {
  const errors: FieldError[] = [];
  if (!isJsonObject(obj)) return [{ field: '', reason: 'FieldValueTypeInvalid', message: 'must be an object' }];
  const rootSchema: StructuralSchema = { ...schema, properties: { ...schema.properties } };
  delete rootSchema.properties!.metadata;
  delete rootSchema.properties!.apiVersion;
  delete rootSchema.properties!.kind;
  validateValue(obj, rootSchema, '', errors);
  return errors;
}
