/** The platform contract (openapi/platform.yaml) as validators, for the tests on both sides. */
import Ajv from 'ajv'
import addFormats from 'ajv-formats'
import fs from 'node:fs'
import { parse } from 'yaml'

export type Spec = { components: { schemas: Record<string, { required?: string[] }> }; paths: Record<string, unknown> }
export const spec = parse(fs.readFileSync('openapi/platform.yaml', 'utf8')) as Spec

/** OpenAPI 3.0 schemas to JSON Schema: `nullable` becomes a union with null; refs stay local. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (!node || typeof node !== 'object') return node
  const obj = node as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'nullable' || k === 'example' || k === 'description') continue
    out[k] = k === '$ref' ? String(v).replace('#/components/schemas/', '#/$defs/') : toJsonSchema(v)
  }
  if (obj.nullable === true) return { anyOf: [out, { type: 'null' }] }
  return out
}

const ajv = new Ajv({ strict: false, allErrors: true })
addFormats(ajv)
const defs = toJsonSchema(spec.components.schemas) as Record<string, unknown>

/** A validator for one schema of components.schemas. */
export const validator = (name: string) => ajv.compile({ $defs: defs, $ref: `#/$defs/${name}` })
