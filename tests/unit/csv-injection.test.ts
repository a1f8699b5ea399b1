/**
 * Exported text never becomes a live formula: hostile values are written to CSV and xlsx by
 * the real writers, then the CSV is read back as Excel reads it, with "," as the list
 * separator (en) and with ";" (ru, de... where Excel splits our comma lines at every ";"), and
 * the xlsx is read back with exceljs. No cell of either reading may start a formula, and the
 * text that is not guarded stays as it was.
 */
import ExcelJS from 'exceljs'
import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { inflateRawSync } from 'node:zlib'
import { CsvSink, XlsxSink, type Sink, type SinkOptions } from '../../src/backend/export/writer'
import type { ExportColumn } from '../../src/backend/export/tables'
import { tempDir } from '../helpers'

const tmp = tempDir('smsdesk-csv-injection-')
afterAll(() => tmp.cleanup())

/** What a spreadsheet takes for the start of a formula (and the full-width forms). */
const TRIGGER = /^[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]/
/** White space and zero-width spaces, trimmed before looking at a cell's first character. */
const LEADING_BLANK = /^[\s\u200B-\u200D\u2060]+/
/** A plain number (a negative amount is a number, not a formula). */
const NUMBER = /^[+-]?\d+(\.\d+)?$/

/**
 * Hostile text and what the CSV's field must read back as (the "," reading): the guard is a
 * single quote before the formula, at the start and after a ";" or a line break inside.
 */
const CASES: [string, string][] = [
  ["X;=cmd|' /C calc'!A0", "X;'=cmd|' /C calc'!A0"],
  ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
  ['=1+2', "'=1+2"],
  ['+7 (999) 123-45-67', "'+7 (999) 123-45-67"],
  ['-1+1', "'-1+1"],
  ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
  ['\t=1', "'\t=1"],
  ['\tTabbed', "'\tTabbed"],
  ['\r\n=1', "'\r\n'=1"],
  [' =1', "' =1"],
  ['   -2', "'   -2"],
  ['\u00A0=1', "'\u00A0=1"],
  ['\u200B=1', "'\u200B=1"],
  ['\uFEFF+1', "'\uFEFF+1"],
  ['\u2028=1', "'\u2028=1"],
  ['\uFF1D1+2', "'\uFF1D1+2"],
  // Control characters go first: what is left is checked.
  ['\u0000=1', "'=1"],
  ['\u0007\u0008=1', "'=1"],
  ['\u007F@x', "'@x"],
  ['\u0085=1', "'=1"],
  ['\u009B+1', "'+1"],
  ['a\u0000b\u000Bc\u000Cd\u001Fe', 'abcde'],
  // Inside a field: where a ";" reading starts a new cell or line.
  ['a;=1', "a;'=1"],
  ['a; +1', "a; '+1"],
  ['a;"=1', "a;\"'=1"],
  ['a;;=b', "a;;'=b"],
  ['line\n=1', "line\n'=1"],
  ['line\r-1', "line\r'-1"],
  ['line\r\n  @x', "line\r\n  '@x"],
  ['two\n\n-2 lines', "two\n\n'-2 lines"],
  // Nothing to guard: kept exactly.
  ['Comma, "quoted" text', 'Comma, "quoted" text'],
  ['semi;colon', 'semi;colon'],
  ['tab\tinside', 'tab\tinside'],
  ['a - b = c', 'a - b = c'],
  ['e-mail@example.com', 'e-mail@example.com'],
  ['Ромашка; оплата', 'Ромашка; оплата'],
  ["'=already guarded", "'=already guarded"],
  ['emoji 📨 ok', 'emoji 📨 ok']
]

/**
 * A CSV read as Excel reads it: a quote opens a quoted field only at a field's start; inside,
 * "" is a quote and a lone " ends the quoting; anything after it (or a quote elsewhere) is
 * taken as it is; outside quotes the separator ends the field, and CR, LF or CRLF the line.
 */
function readAsExcel(text: string, sep: ',' | ';'): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let start = true
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (ch === '"') quoted = false
      else field += ch
    } else if (start && ch === '"') {
      quoted = true
      start = false
    } else if (ch === sep) {
      row.push(field)
      field = ''
      start = true
    } else if (ch === '\r' || ch === '\n') {
      if (ch === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
      start = true
    } else {
      field += ch
      start = false
    }
  }
  if (field || row.length) rows.push([...row, field])
  return rows
}

/** Cells that would start a formula: after trimming, a trigger first, and not a plain number. */
function live(rows: string[][]): string[] {
  return rows.flat().filter((cell) => {
    const t = cell.replace(LEADING_BLANK, '')
    return TRIGGER.test(t) && !NUMBER.test(t)
  })
}

const COLUMNS: ExportColumn[] = [
  { key: 'id', header: { en: 'ID', ru: 'ID' }, type: { kind: 'int' } },
  { key: 'text', header: { en: 'Text', ru: 'Текст' }, type: { kind: 'text' } },
  { key: 'balance', header: { en: 'Balance', ru: 'Баланс' }, type: { kind: 'money', scale: 2 } },
  { key: 'again', header: { en: 'Again', ru: 'Ещё раз' }, type: { kind: 'text' } },
  { key: 'channel', header: { en: 'Channel', ru: 'Канал' }, type: { kind: 'enum', labels: { en: { sms: '=SMS' }, ru: { sms: '=SMS' } } } }
]

async function write(kind: 'csv' | 'xlsx', name: string, columns: ExportColumn[], rows: Record<string, unknown>[]): Promise<string> {
  const file = path.join(tmp.dir, name)
  const options: SinkOptions = { file, columns, language: 'en', title: { en: 'Hostile', ru: 'Hostile' }, sheetRowLimit: 1000, timeZone: 'UTC' }
  const sink: Sink = kind === 'csv' ? new CsvSink(options) : new XlsxSink(options)
  for (const r of rows) sink.row(r)
  sink.footer({ id: null, text: null, balance: -1234, again: null, channel: null }, { key: 'again', text: '=SUM(C2:C9)' })
  await sink.finish()
  return file
}

const ROWS = CASES.map(([value], i) => ({ id: i + 1, text: value, balance: -100 * (i + 1), again: value, channel: 'sms', currency: 'EUR' }))

describe('CSV export: no formula in either reading', () => {
  it('guards hostile text in every column, read with "," and with ";"', async () => {
    const file = await write('csv', 'hostile.csv', COLUMNS, ROWS)
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')
    const comma = readAsExcel(text, ',')
    expect(comma[0]).toEqual(['ID', 'Text', 'Balance', 'Again', 'Channel'])
    // The "," reading: one line per row, each field exactly as guarded.
    expect(comma.length).toBe(CASES.length + 2)
    CASES.forEach(([value, expected], i) => {
      const cells = comma[i + 1]
      expect(cells, JSON.stringify(value)).toEqual([String(i + 1), expected, (-(i + 1)).toFixed(2), expected, "'=SMS"])
    })
    expect(comma.at(-1)).toEqual(['', '', '-12.34', "'=SUM(C2:C9)", ''])
    // (A negative amount is a number, never prefixed: live() lets plain numbers be.)
    expect(live(comma)).toEqual([])
    // The ";" reading: lines and cells cut anywhere a ";" or a line break is, none starts a formula.
    const semicolon = readAsExcel(text, ';')
    expect(semicolon.length).toBeGreaterThan(comma.length)
    expect(live(semicolon)).toEqual([])
  })

  it('guards a hostile first column too (its field starts every line of both readings)', async () => {
    const columns = [COLUMNS[1], COLUMNS[3], COLUMNS[0]]
    const file = await write('csv', 'hostile-first.csv', columns, ROWS)
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '')
    const comma = readAsExcel(text, ',')
    CASES.forEach(([value, expected], i) => expect(comma[i + 1], JSON.stringify(value)).toEqual([expected, expected, String(i + 1)]))
    expect(live(comma)).toEqual([])
    expect(live(readAsExcel(text, ';'))).toEqual([])
  })

  it('quotes every field holding a comma, semicolon, tab, quote, CR or LF', async () => {
    const values = ['a,b', 'a;b', 'a\tb', 'a"b', 'a\rb', 'a\nb', 'plain']
    const file = await write('csv', 'quoting.csv', [COLUMNS[1]], values.map((text) => ({ text })))
    const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split('\r\n')
    expect(lines.slice(1, 1 + values.length - 2)).toEqual(['"a,b"', '"a;b"', '"a\tb"', '"a""b"', '"a\rb"'])
    expect(fs.readFileSync(file, 'utf8')).toContain('"a\nb"\r\nplain\r\n')
  })
})

/* ---- the xlsx, read back by exceljs, and its XML looked at directly ---- */

function sheetXml(file: string): string {
  const buf = fs.readFileSync(file)
  // The zip's central directory: find the first worksheet and inflate it.
  let eocd = buf.length - 22
  while (eocd > 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--
  let p = buf.readUInt32LE(eocd + 16)
  for (let k = 0; k < buf.readUInt16LE(eocd + 10); k++) {
    const nameLen = buf.readUInt16LE(p + 28)
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen)
    const local = buf.readUInt32LE(p + 42)
    if (/worksheets\/sheet1\.xml$/.test(name)) {
      const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28)
      const data = buf.subarray(start, start + buf.readUInt32LE(p + 20))
      return (buf.readUInt16LE(p + 10) === 8 ? inflateRawSync(data) : data).toString('utf8')
    }
    p += 46 + nameLen + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32)
  }
  throw new Error('no sheet1.xml')
}

describe('xlsx export: text stays text', () => {
  for (const fastRows of [true, false]) {
    it(`writes no formula, the cleaned text as it is, formula-like text in the Text format (${fastRows ? 'direct rows' : 'exceljs row model'})`, async () => {
      const file = path.join(tmp.dir, `hostile-${fastRows}.xlsx`)
      const sink = new XlsxSink({ file, columns: COLUMNS, language: 'en', title: { en: 'Hostile', ru: 'Hostile' }, sheetRowLimit: 1000, timeZone: 'UTC', fastRows })
      for (const r of ROWS) sink.row(r)
      await sink.finish()
      expect(sheetXml(file)).not.toMatch(/<f[\s>]/)
      const wb = new ExcelJS.Workbook()
      await wb.xlsx.readFile(file)
      const ws = wb.worksheets[0]
      CASES.forEach(([value], i) => {
        // eslint-disable-next-line no-control-regex -- the writers drop these control characters
        const clean = value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g, '')
        // XML reads a CR, or a CR LF, as the line break (LF) it is.
        const read = clean.replace(/\r\n?/g, '\n')
        for (const col of [2, 4]) {
          const cell = ws.getRow(i + 2).getCell(col)
          expect(cell.formula, JSON.stringify(value)).toBeUndefined()
          expect(cell.type, JSON.stringify(value)).toBe(ExcelJS.ValueType.String)
          expect(cell.value, JSON.stringify(value)).toBe(read)
          const formulaLike = /^[\t\r\n]/.test(clean) || TRIGGER.test(clean.replace(LEADING_BLANK, ''))
          expect(cell.numFmt === '@', JSON.stringify(value)).toBe(formulaLike)
        }
        expect(ws.getRow(i + 2).getCell(5).numFmt).toBe('@')
      })
    })
  }
})
