// Every operation the app sends, checked against the API's schema: a renamed field or argument fails here, not in
// an operator's browser.

import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { TypedDocument } from './document';

const schema = buildSchema(readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8'));

const modules = import.meta.glob<Record<string, unknown>>(['../**/operations.ts'], { eager: true });

function isDocument(value: unknown): value is TypedDocument<unknown, unknown> {
  return typeof value === 'object' && value !== null && 'source' in value && 'operationName' in value;
}

const documents = Object.entries(modules).flatMap(([file, exports]) =>
  Object.entries(exports)
    .filter(([, value]) => isDocument(value))
    .map(([name, value]) => [`${file.replace('../', '')} ${name}`, value as TypedDocument<unknown, unknown>] as const),
);

describe('GraphQL operations', () => {
  it('are found', () => {
    expect(documents.length).toBeGreaterThan(25);
  });

  it.each(documents)('%s is valid against schema.graphql', (_, document) => {
    const errors = validate(schema, parse(document.source));
    expect(errors.map((e) => e.message)).toEqual([]);
  });

  it('have unique operation names (query keys start with them)', () => {
    const names = documents.map(([, d]) => d.operationName);
    expect(new Set(names).size).toBe(names.length);
  });
});
