/**
 * The sync streams the renderer knows, grouped by their source, in the order a sync runs
 * them. The backend reports a stream only after its first attempt; the sync panel lists these
 * from the start (and any stream the backend adds later, under its source).
 */
import { KNOWN_STREAMS } from '@shared/streams'
import { SOURCE_KINDS, type SourceKind } from '@shared/types'

export { KNOWN_STREAMS }

function isSourceKind(value: string): value is SourceKind {
  return (SOURCE_KINDS as readonly string[]).includes(value)
}

/** The source of a stream: a known stream's, else the prefix before the dot ("sim.x" -> sim). */
export function streamSource(stream: string): SourceKind | null {
  const known = KNOWN_STREAMS.find((s) => s.stream === stream)
  if (known) return known.source
  const prefix = stream.split('.')[0]
  return isSourceKind(prefix) ? prefix : null
}

/**
 * Orders stream names as a sync runs them: the known ones first in their order, then the
 * others by name.
 */
export function streamOrder(a: string, b: string): number {
  const ia = KNOWN_STREAMS.findIndex((s) => s.stream === a)
  const ib = KNOWN_STREAMS.findIndex((s) => s.stream === b)
  if (ia !== -1 || ib !== -1) return (ia === -1 ? Infinity : ia) - (ib === -1 ? Infinity : ib) || a.localeCompare(b)
  return a.localeCompare(b)
}
