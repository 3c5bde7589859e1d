// Pure: builds a meta.k8s.io/v1 Table (server-side printing) from objects and column specs.
import { deepClone, type JsonObject, type JsonValue } from '../patch/json-value.ts';
import type { PrinterColumn, ResourceType } from '../resources/resource-type.ts';
import { builtinColumns, type ColumnSpec } from './builtin-columns.ts';
import { humanDuration, readJsonPath } from './json-path.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function columnsFor(type: ResourceType): ColumnSpec[] {
  if (type.printerColumns === undefined) return builtinColumns(type.resource);
  const name: ColumnSpec = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.', value: '.metadata.name' };
  return [name, ...type.printerColumns.map((c: PrinterColumn): ColumnSpec => {
    const spec: ColumnSpec = { name: c.name, type: c.type, value: c.jsonPath, priority: c.priority ?? 0, description: c.description ?? '' };
    if (c.format !== undefined) spec.format = c.format;
    return spec;
  })];
}

function cell(column: ColumnSpec, obj: JsonObject, now: number): JsonValue {
  const raw = typeof column.value === 'function' ? column.value(obj) : readJsonPath(obj, column.value);
  if (raw === undefined || raw === null) return null;
  if ((column.type === 'date' && typeof column.value === 'string') || column.format === 'age') {
    const t = typeof raw === 'string' ? Date.parse(raw) : NaN;
    return Number.isNaN(t) ? null : humanDuration(now - t);
  }
  if (column.type === 'integer' || column.type === 'number') return typeof raw === 'number' ? raw : null;
  if (column.type === 'boolean') return typeof raw === 'boolean' ? raw : null;
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

export interface TableOptions {
  includeObject: IncludeObject;
  now: number;
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
  /** Watch events after the first carry no column definitions. */
  omitColumns?: boolean;
}

export function buildTable(columns: ColumnSpec[], objects: JsonObject[], options: TableOptions): JsonObject {
  const metadata: JsonObject = { resourceVersion: options.resourceVersion };
  if (options.continueToken !== undefined) metadata.continue = options.continueToken;
  if (options.remainingItemCount !== undefined) metadata.remainingItemCount = options.remainingItemCount;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: options.omitColumns === true ? [] : columns.map((c) => ({
      name: c.name, type: c.type === 'date' ? 'date' : c.type, format: c.format === 'age' ? '' : (c.format ?? ''),
      description: c.description ?? '', priority: c.priority ?? 0,
    })),
    rows: objects.map((obj) => {
      const row: JsonObject = { cells: columns.map((c) => cell(c, obj, options.now)) };
      if (options.includeObject === 'Object') row.object = deepClone(obj);
      else if (options.includeObject === 'Metadata') {
        row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: deepClone(obj.metadata ?? {}) };
      }
      return row;
    }),
  };
}
