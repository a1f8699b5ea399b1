/**
 * Electronegativity (Doyensec's Electron security scanner) over src/, run by `npm run lint`.
 * Fails on any finding above LOW that tools/electronegativity-allow.json does not list by check
 * and file with a written reason, and on allow-list entries that no longer match a finding (so
 * a reason never outlives the code it explains). Entries may also record the review of a LOW
 * finding.
 *
 * It runs through the package's documented programmatic API rather than `-o out.csv`: the CLI's
 * CSV writer writes the header and the rows with two concurrent writeFile calls, and the header
 * lands over the start of the first row. The scan tries to fetch Electron's release list (the
 * "No connectivity?" line offline is expected) with no timeout of its own, hence ours.
 */
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

const require = createRequire(import.meta.url)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const ALLOW_FILE = path.join(ROOT, 'tools', 'electronegativity-allow.json')
const TIMEOUT_MS = 120_000

export interface Finding {
  id: string
  severity: { name: string }
  confidence: { name: string }
  /** Relative to the repository, with forward slashes ("N/A" for some global checks). */
  file: string
  location: { line: number; column: number }
  description: string
}

const allowSchema = z.array(
  z.strictObject({
    check: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'a check id such as CSP_GLOBAL_CHECK'),
    file: z.string().min(1),
    reason: z.string().trim().min(40, 'a written reason (40 characters at least)')
  })
)
export type AllowEntry = z.infer<typeof allowSchema>[number]

export function parseAllowList(text: string): AllowEntry[] {
  return allowSchema.parse(JSON.parse(text))
}

const RANK: Record<string, number> = { INFORMATIONAL: 0, LOW: 1, MEDIUM: 2, HIGH: 3 }

/** Above LOW; an unknown severity counts as above. */
export function isAboveLow(f: Finding): boolean {
  return (RANK[f.severity.name.toUpperCase()] ?? Number.POSITIVE_INFINITY) > RANK.LOW
}

export interface Verdict {
  /** Findings above LOW with no allow-list entry. */
  failures: Finding[]
  /** Findings with the entry that allows them (or records their review). */
  allowed: { finding: Finding; entry: AllowEntry }[]
  /** LOW or INFORMATIONAL findings with no entry: shown, not failed. */
  unreviewed: Finding[]
  /** Entries that match no finding. */
  stale: AllowEntry[]
}

export function evaluate(findings: Finding[], allow: AllowEntry[]): Verdict {
  const verdict: Verdict = { failures: [], allowed: [], unreviewed: [], stale: [] }
  const used = new Set<AllowEntry>()
  for (const finding of findings) {
    const entry = allow.find((e) => e.check === finding.id && e.file === finding.file)
    if (entry) {
      used.add(entry)
      verdict.allowed.push({ finding, entry })
    } else if (isAboveLow(finding)) verdict.failures.push(finding)
    else verdict.unreviewed.push(finding)
  }
  verdict.stale = allow.filter((e) => !used.has(e))
  return verdict
}

interface RawIssue extends Omit<Finding, 'file'> {
  file: string
}
type Run = (options: Record<string, unknown>) => Promise<{ issues: RawIssue[]; errors: unknown[] }>

/** `work`, or a rejection once `ms` have passed. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms / 1000} s`)), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Scans `input` as Electron `electronVersion`; gives up after `timeoutMs`. */
export async function scan(input: string, electronVersion: string, timeoutMs = TIMEOUT_MS): Promise<Finding[]> {
  const run = require('@doyensec/electronegativity') as Run
  const work = run({ input, electronVersionOverride: electronVersion, isRelative: false })
  const result = await withTimeout(work, timeoutMs, 'Electronegativity')
  return result.issues.map((i) => ({
    id: i.id,
    severity: { name: i.severity.name },
    confidence: { name: i.confidence.name },
    file: path.isAbsolute(i.file) ? path.relative(ROOT, i.file).split(path.sep).join('/') : i.file, // global checks: N/A
    location: { line: i.location.line, column: i.location.column },
    description: i.description
  }))
}

function where(f: Finding): string {
  return `${f.severity.name} ${f.id} ${f.file}:${f.location.line}:${f.location.column}`
}

async function main(): Promise<number> {
  const electronVersion = (require('electron/package.json') as { version: string }).version
  const allow = parseAllowList(fs.readFileSync(ALLOW_FILE, 'utf8'))
  const findings = await scan(path.join(ROOT, 'src'), electronVersion)
  const verdict = evaluate(findings, allow)
  console.log(`electronegativity (Electron ${electronVersion}): ${findings.length} findings`)
  for (const { finding } of verdict.allowed) console.log(`  allowed  ${where(finding)}`)
  for (const f of verdict.unreviewed) console.log(`  low      ${where(f)}: ${f.description}`)
  for (const f of verdict.failures) console.error(`  FAILED   ${where(f)}: ${f.description}`)
  for (const e of verdict.stale) console.error(`  STALE    allow-list entry ${e.check} ${e.file} matches no finding: remove it`)
  if (verdict.failures.length > 0) {
    console.error(`Fix these, or list them in ${path.relative(ROOT, ALLOW_FILE)} with the reason they are safe.`)
  }
  return verdict.failures.length > 0 || verdict.stale.length > 0 ? 1 : 0
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code), // the scanner may leave sockets open
    (e: unknown) => {
      console.error(`electronegativity: ${e instanceof Error ? e.message : String(e)}`)
      process.exit(2)
    }
  )
}
