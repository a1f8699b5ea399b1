/**
 * The Electronegativity gate of `npm run lint` (tools/electronegativity.ts): what fails, what
 * the allow-list lets through, that the allow-list itself is well formed, the timeout, and one
 * real scan of a deliberately unsafe main process.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { evaluate, parseAllowList, scan, withTimeout, type Finding } from '../../tools/electronegativity'

const finding = (id: string, severity: string, file: string): Finding => ({
  id,
  severity: { name: severity },
  confidence: { name: 'FIRM' },
  file,
  location: { line: 1, column: 0 },
  description: id
})
const entry = (check: string, file: string) => ({ check, file, reason: 'A reason long enough to say why this is safe here.' })

describe('the verdict', () => {
  it('fails on findings above LOW not on the allow-list, for that check in that file', () => {
    const v = evaluate(
      [
        finding('PRELOAD_JS_CHECK', 'MEDIUM', 'src/main/index.ts'),
        finding('PRELOAD_JS_CHECK', 'MEDIUM', 'src/main/other.ts'),
        finding('NODE_INTEGRATION_JS_CHECK', 'HIGH', 'src/main/index.ts'),
        finding('SOMETHING_NEW', 'CRITICAL', 'src/main/index.ts'),
        finding('CSP_GLOBAL_CHECK', 'LOW', 'src/renderer/index.html'),
        finding('X_CHECK', 'INFORMATIONAL', 'src/x.ts')
      ],
      [entry('PRELOAD_JS_CHECK', 'src/main/index.ts')]
    )
    expect(v.failures.map((f) => `${f.id} ${f.file}`)).toEqual([
      'PRELOAD_JS_CHECK src/main/other.ts',
      'NODE_INTEGRATION_JS_CHECK src/main/index.ts',
      'SOMETHING_NEW src/main/index.ts' // an unknown severity counts as above LOW
    ])
    expect(v.allowed.map((a) => a.finding.file)).toEqual(['src/main/index.ts'])
    expect(v.unreviewed.map((f) => f.id)).toEqual(['CSP_GLOBAL_CHECK', 'X_CHECK'])
    expect(v.stale).toEqual([])
  })

  it('reports entries that match no finding any more', () => {
    const stale = entry('AUXCLICK_JS_CHECK', 'src/main/index.ts')
    const v = evaluate([finding('CSP_GLOBAL_CHECK', 'LOW', 'src/renderer/index.html')], [stale, entry('CSP_GLOBAL_CHECK', 'src/renderer/index.html')])
    expect(v.stale).toEqual([stale])
    expect(v.failures).toEqual([])
    expect(v.allowed).toHaveLength(1)
  })
})

describe('the allow-list', () => {
  it('needs a check id, a file and a written reason, and nothing else', () => {
    expect(() => parseAllowList('[{"check":"PRELOAD_JS_CHECK","file":"src/main/index.ts","reason":"ok"}]')).toThrow(/reason/)
    expect(() => parseAllowList('[{"check":"PRELOAD_JS_CHECK","file":"src/main/index.ts"}]')).toThrow()
    expect(() => parseAllowList('[{"check":"preload","file":"x","reason":"' + 'r'.repeat(50) + '"}]')).toThrow(/check/)
    expect(() => parseAllowList(JSON.stringify([{ ...entry('A_CHECK', 'x'), line: 3 }]))).toThrow()
    expect(parseAllowList(JSON.stringify([entry('A_CHECK', 'x')]))).toEqual([entry('A_CHECK', 'x')])
  })

  it("the repository's list is well formed and names files that exist", () => {
    const list = parseAllowList(fs.readFileSync(path.resolve('tools/electronegativity-allow.json'), 'utf8'))
    expect(list.length).toBeGreaterThan(0)
    for (const e of list) expect(fs.existsSync(path.resolve(e.file)), e.file).toBe(true)
  })
})

describe('the scan', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsdesk-electronegativity-'))
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('gives up after its timeout instead of hanging', async () => {
    const never = new Promise<never>(() => undefined)
    await expect(withTimeout(never, 20, 'Electronegativity')).rejects.toThrow('Electronegativity did not finish in 0.02 s')
    await expect(withTimeout(Promise.resolve(7), 1000, 'x')).resolves.toBe(7)
  })

  it('finds an unsafe window, which nothing allows', { timeout: 150_000 }, async () => {
    fs.writeFileSync(
      path.join(dir, 'main.js'),
      "const { BrowserWindow } = require('electron')\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } })\n"
    )
    const findings = await scan(dir, '45.5.0')
    const failing = evaluate(findings, []).failures.map((f) => `${f.severity.name} ${f.id} ${f.file.endsWith('/main.js') ? 'main.js' : f.file}`)
    expect(failing).toEqual(
      expect.arrayContaining([
        'HIGH CONTEXT_ISOLATION_JS_CHECK main.js',
        'MEDIUM SANDBOX_JS_CHECK main.js',
        'MEDIUM AUXCLICK_JS_CHECK main.js',
        // No will-navigate / window-open guard and no permission handler anywhere.
        'HIGH LIMIT_NAVIGATION_GLOBAL_CHECK N/A',
        'MEDIUM PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK N/A'
      ])
    )
  })
})
