// A small checker for CRD structural schemas and for values against them (types, required, unknown fields). Pure.
// It covers the OpenAPI subset our CRD uses, so tests can prove the operator writes nothing the API would prune or refuse.
import { isJsonObject } from '../kube/json.ts';

export interface Schema {
  type?: string;
  format?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  /** Value validations only (structural schemas allow no type or properties in them): every one must hold. */
  allOf?: Schema[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Structural-schema rules: every node has a type; objects declare properties; arrays declare items; map keys are required. */
export function findStructuralProblems(schema: Schema, path = ''): string[] {
  const problems: string[] = [];
  const here = path === '' ? '(root)' : path;
  if (schema.type === undefined && schema['x-kubernetes-int-or-string'] !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    problems.push(`${here}: no type`);
  }
  if (schema.type === 'object' && path !== '.metadata' && schema.properties === undefined
    && schema.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    problems.push(`${here}: object without properties`);
  }
  if (schema.type === 'array') {
    if (schema.items === undefined) problems.push(`${here}: array without items`);
    for (const key of schema['x-kubernetes-list-map-keys'] ?? []) {
      if (!(schema.items?.required ?? []).includes(key)) problems.push(`${here}: list map key ${key} is not required`);
    }
  }
  if (schema.default !== undefined) {
    problems.push(...validateValue(schema.default, { ...schema, default: undefined }, `${here} default`));
  }
  for (const [index, part] of (schema.allOf ?? []).entries()) {
    for (const key of ['type', 'properties', 'items', 'additionalProperties', 'default', 'description'] as const) {
      if (key in part) problems.push(`${here}: allOf[${index}] sets ${key} (only value validations are allowed there)`);
    }
  }
  for (const [name, child] of Object.entries(schema.properties ?? {})) problems.push(...findStructuralProblems(child, `${path}.${name}`));
  if (schema.items !== undefined) problems.push(...findStructuralProblems(schema.items, `${path}[]`));
  if (typeof schema.additionalProperties === 'object') problems.push(...findStructuralProblems(schema.additionalProperties, `${path}.*`));
  return problems;
}

/** Errors for a value against a schema; an unknown field is an error because the API server would prune it. */
export function validateValue(value: unknown, schema: Schema, path = '(root)'): string[] {
  if (value === undefined) return [];
  const errors: string[] = [];
  const type = schema.type;
  if (type === 'object') {
    if (!isJsonObject(value)) return [`${path}: expected object`];
    for (const name of schema.required ?? []) if (value[name] === undefined) errors.push(`${path}.${name}: required`);
    for (const [name, child] of Object.entries(value)) {
      const childSchema = schema.properties?.[name] ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
      if (childSchema === undefined) {
        if (schema['x-kubernetes-preserve-unknown-fields'] !== true && schema.properties !== undefined) errors.push(`${path}.${name}: unknown field`);
        continue;
      }
      errors.push(...validateValue(child, childSchema, `${path}.${name}`));
    }
    return errors;
  }
  if (type === 'array') {
    if (!Array.isArray(value)) return [`${path}: expected array`];
    value.forEach((item, index) => errors.push(...(schema.items === undefined ? [] : validateValue(item, schema.items, `${path}[${index}]`))));
    return errors;
  }
  if (type === 'string') {
    if (typeof value !== 'string') return [`${path}: expected string`];
    for (const pattern of [schema.pattern, ...(schema.allOf ?? []).map((part) => part.pattern)]) {
      if (pattern !== undefined && !new RegExp(pattern, 'u').test(value)) errors.push(`${path}: does not match ${pattern}`);
    }
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) errors.push(`${path}: longer than ${schema.maxLength}`);
    if (schema.format === 'date-time' && !DATE_TIME.test(value)) errors.push(`${path}: not a date-time`);
  } else if (type === 'integer' || type === 'number') {
    if (typeof value !== 'number' || (type === 'integer' && !Number.isInteger(value))) return [`${path}: expected ${type}`];
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: above ${schema.maximum}`);
  } else if (type === 'boolean' && typeof value !== 'boolean') {
    return [`${path}: expected boolean`];
  }
  if (schema.enum !== undefined && !schema.enum.includes(value)) errors.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  return errors;
}

/** The schema node a printer column's simple JSONPath (.a.b.c) points at. */
export function schemaAt(schema: Schema, jsonPath: string): Schema | undefined {
  let node: Schema | undefined = schema;
  for (const part of jsonPath.split('.').slice(1)) node = node?.properties?.[part];
  return node;
}
