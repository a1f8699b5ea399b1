/**
 * The export writers: rows in, an xlsx (exceljs streaming WorkbookWriter) or a CSV file out,
 * one row at a time, with backpressure, so memory stays flat whatever the row count.
 *
 * xlsx:
 * - money is a real number with a number format: integer minor units are divided by 10^scale
 *   only at the cell (123456 at scale 2 -> 1234.56). IEEE division is correctly rounded, so the
 *   cell holds exactly the double Excel itself would store for "1234.56"; sums in Excel are
 *   Excel's own floating point, as for any typed number. The format carries the row's currency.
 * - dates and times are real Excel dates with a format (yyyy-mm-dd, yyyy-mm-dd hh:mm:ss).
 *   Excel dates have no time zone: times are written as the wall clock of the chosen time zone
 *   (as the screens show them; the plan names it), and every column of dates or times says the
 *   zone in its header, "Date (Europe/Moscow)"; a column whose rows are per period of days
 *   (the statistics by operator, country...) says whose days they are.
 * - a frozen header row and an auto filter over each sheet's rows; past `sheetRowLimit` data
 *   rows (Excel's 1,048,576 rows less the header) the rows continue on a new sheet.
 * - text is written as a string value (an inline string), never as a formula: no <f> element
 *   is ever written (exceljs too writes one only for {formula} values, never built here). Text
 *   that reads as a formula (see "Text" below) also gets the Text number format (@), so editing
 *   the cell in Excel keeps it text instead of evaluating it; the value itself is unchanged, no
 *   apostrophe added. (exceljs 4.4 has no quotePrefix style.)
 * - a cell's text is cut at Excel's 32,767 characters.
 * - a totals row (the statistics') comes after the data rows, in bold, outside the auto filter
 *   (sorting the rows in Excel leaves it at the bottom).
 * - strings: useSharedStrings false (faster, the file is a little larger); useStyles true,
 *   with one shared style object per format.
 * - speed: exceljs builds the workbook (sheets, views, columns, auto filter, styles, zip), but
 *   its per-cell object model costs ~9 us a row, most of a million-row export. So the data
 *   rows are serialized here, straight into the sheet's XML stream, with the style ids exceljs
 *   assigned (<row><c r s t><v|is>); the header row and everything else go through exceljs.
 *   Should a later exceljs lack those internals, the rows go through its row model instead
 *   (same file, slower); `fastRows: false` forces that path (tests compare the two).
 *
 * CSV: UTF-8 with a BOM (Excel then reads the Cyrillic right), RFC 4180: comma separated,
 * CRLF line ends, a field with a comma, semicolon, tab, quote, CR or LF quoted, with quotes
 * doubled. Numbers are machine-readable (money as exact decimals "1234.56", dates
 * "YYYY-MM-DD HH:MM:SS"), whatever the language; the language only translates the headers and
 * labels. The totals row is the last line.
 *
 * Text (both formats), against formula injection (OWASP's CSV injection advice, and more):
 * - first, the control characters no cell should hold are dropped: C0 but tab, LF and CR
 *   (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F), DEL, C1 (U+0080-U+009F), and what XML
 *   cannot carry (U+FFFE, U+FFFF, unpaired surrogates). Dropping them comes before the check
 *   below, so "\u0000=1" is caught as the "=1" it becomes. Tab, CR and LF are kept inside text
 *   (multi-line purposes are real), and U+2028/U+2029 too (text, not controls; they count as
 *   white space below).
 * - text reads as a formula when it begins with = + - @ (or their full-width forms), after any
 *   white space or zero-width space, or begins with a tab, CR or LF. xlsx: the Text format (@);
 *   CSV: a single quote before it.
 * - CSV only: Excel where the list separator is ";" (Russian, German... locales) splits our
 *   comma-separated lines at every ";" and at every line break, quoted or not once a line's
 *   first field has ended. So inside a field, text after a ";", CR or LF (and any white space
 *   or quotes) that begins with = + - @ gets a single quote before it too ("X;=cmd" is written
 *   "X;'=cmd"): no cell of either reading starts a formula. (A line whose first column is a
 *   negative amount starts with "-" in such a reading: our own number, followed by our own
 *   guarded fields.)
 * A negative amount is a number column, never text: it is never prefixed.
 */
import ExcelJS from 'exceljs'
import fs from 'node:fs'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { formatUnits } from '../../shared/money'
import { wallClock } from '../../shared/zone'
import { LABELS } from '../../shared/labels'
import type { Language } from '../../shared/types'
import type { ExportColumn, FooterLabel, SourceRow, Text } from './tables'

/** Excel's rows per sheet (1,048,576) less the header row. */
export const EXCEL_MAX_DATA_ROWS = 1_048_575
/** Excel's longest cell text. */
const MAX_CELL_TEXT = 32_767
/** Uncompressed sheet XML allowed to queue for the zip before the writer waits. */
const QUEUE_LIMIT = 4 * 1024 * 1024

/** An IANA time zone ("Europe/Moscow", "UTC"): the wall clock of the file's times. */
export type TimeZoneMode = string

export interface SinkOptions {
  file: string
  columns: ExportColumn[]
  language: Language
  title: Text
  sheetRowLimit: number
  timeZone: TimeZoneMode
  /** Serialize data rows directly (default) or through exceljs's row model. */
  fastRows?: boolean
}

export interface Sink {
  row(r: SourceRow): void
  /** Yields to the event loop, and waits while the output is behind; throws a write error. */
  drain(): Promise<void>
  /**
   * The totals row, after every data row: `label.text` in the column `label.key` (as text), the
   * other cells as a data row's; outside the auto filter, and in bold, in xlsx.
   */
  footer(r: SourceRow, label: FooterLabel): void
  /** Ends the file; resolves once it is closed (flushed to disk). */
  finish(): Promise<{ sheets: number }>
  /** Stops writing and closes the file (the caller deletes it). */
  abort(): Promise<void>
}

/** White space (tab, CR, LF, NBSP, U+2028, U+2029, BOM...) and zero-width spaces: what a formula can hide behind. */
const BLANK = '[\\s\\u200B-\\u200D\\u2060]'
/** What starts a formula: = + - @, and their full-width forms. */
const TRIGGER = '[=+\\-@\\uFF1D\\uFF0B\\uFF0D\\uFF20]'

/** Text that a spreadsheet would take for a formula: a trigger after any white space, or a leading tab, CR or LF. */
export const FORMULA_LIKE = new RegExp(`^(?:[\\t\\r\\n]|${BLANK}*${TRIGGER})`)

/** Inside a CSV field: a trigger where a ";"-separated reading starts a new cell (after a ";", CR or LF, white space and quotes). */
const INNER_FORMULA = new RegExp(`([;\\r\\n](?:${BLANK}|")*)(?=${TRIGGER})`, 'g')

/** Control characters no cell keeps (C0 but tab, LF, CR; DEL; C1), and what XML 1.0 cannot carry. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const DROPPED = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/** Text as a cell may hold it: the dropped characters gone (before any formula check). */
export function cleanText(s: string): string {
  return s.replace(DROPPED, '')
}

/** A field quoted when it holds a separator of either reading (comma, semicolon), a tab, a quote, CR or LF. */
function csvField(s: string): string {
  return /[",;\t\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

/** A text value as a CSV field: cleaned, guarded against formulas, quoted when it must be. */
export function csvText(v: unknown): string {
  if (v === null || v === undefined) return ''
  const s = cleanText(String(v))
  return csvField((FORMULA_LIKE.test(s) ? `'${s}` : s).replace(INNER_FORMULA, "$1'"))
}

/** Milliseconds of the wall clock of the zone at an ISO-8601 instant, or null. */
function wallClockOf(iso: unknown, zone: TimeZoneMode): number | null {
  if (typeof iso !== 'string' || !iso) return null
  const ms = Date.parse(iso)
  if (Number.isNaN(ms)) return null
  return wallClock(zone, ms)
}

/** A column's header: dates and times say their zone, a per-period column whose days it counts. */
export function headerText(c: ExportColumn, language: Language, zone: TimeZoneMode): string {
  const base = c.header[language]
  if (c.type.kind === 'date' || c.type.kind === 'datetime') return `${base} (${zone})`
  if (c.zoneDays) return `${base} (${LABELS[language].fileOnly.daysIn} ${zone})`
  return base
}

const XML_SPECIAL = /[&<>]/g
/** Text whose leading or trailing white space Excel would drop unless told to keep it. */
const EDGE_SPACE = /^\s|\s$/
const XML_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }

/** Text already cleaned (cleanText), escaped for XML. */
function xmlText(s: string): string {
  return s.replace(XML_SPECIAL, (c) => XML_ENTITY[c])
}

/** A cell's text in xlsx: cleaned, then cut at Excel's limit (never inside a surrogate pair). */
function cellText(v: unknown): string {
  const s = cleanText(String(v))
  if (s.length <= MAX_CELL_TEXT) return s
  const cut = s.slice(0, MAX_CELL_TEXT)
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

/** Excel's serial day number of a Date whose UTC fields are the wall clock (as exceljs does). */
function excelSerial(d: Date): number {
  return 25569 + d.getTime() / 86_400_000
}

function columnLetters(n: number): string {
  let s = ''
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s
  return s
}

function dayMs(day: unknown): number | null {
  if (typeof day !== 'string') return null
  const ms = Date.parse(`${day.slice(0, 10)}T00:00:00Z`)
  return Number.isNaN(ms) ? null : ms
}

function valueOf(c: ExportColumn, r: SourceRow): unknown {
  return c.get ? c.get(r) : r[c.key]
}

function closed(stream: fs.WriteStream): Promise<void> {
  if (stream.closed) return Promise.resolve()
  return new Promise((resolve) => stream.once('close', () => resolve()))
}

function openOutput(file: string, onError: (e: Error) => void): fs.WriteStream {
  // 'wx': the temporary file is new (its name carries the job id); flush: fsync before close,
  // so the file renamed into place is really on disk.
  const out = fs.createWriteStream(file, { flags: 'wx', flush: true })
  out.on('error', onError)
  return out
}

/* ---- xlsx ---- */

/** Puts a row's value of one column, and its style, at index i of the row being built. */
type Render = (r: SourceRow, i: number) => void

const PLAIN: Partial<ExcelJS.Style> = {}
const TEXT_GUARD: Partial<ExcelJS.Style> = { numFmt: '@' }
const HEADER: Partial<ExcelJS.Style> = { font: { bold: true } }
const DATE: Partial<ExcelJS.Style> = { numFmt: 'yyyy-mm-dd' }
const DATETIME: Partial<ExcelJS.Style> = { numFmt: 'yyyy-mm-dd hh:mm:ss' }
const PERCENT: Partial<ExcelJS.Style> = { numFmt: '0.00%' }
const INT: Partial<ExcelJS.Style> = { numFmt: '0' }

export class XlsxSink implements Sink {
  private readonly out: fs.WriteStream
  private readonly wb: ExcelJS.stream.xlsx.WorkbookWriter
  private ws!: ExcelJS.Worksheet
  private readonly renders: Render[]
  private readonly values: unknown[]
  private readonly styles: Partial<ExcelJS.Style>[]
  private readonly moneyStyles = new Map<string, Partial<ExcelJS.Style>>()
  private sheetRows = 0
  /** Rows after the data on this sheet (the totals row), outside the auto filter. */
  private footerRows = 0
  private sheets = 0
  private error: Error | null = null
  /** The sheet's XML stream, when rows are serialized here; null: exceljs's row model. */
  private raw: { write(chunk: string): unknown } | null = null
  private chunk = ''
  private readonly letters: string[]
  private readonly styleIds = new Map<Partial<ExcelJS.Style>, number>()
  private readonly boldStyles = new Map<Partial<ExcelJS.Style>, Partial<ExcelJS.Style>>()
  /** Each sheet's filter range, as the workbook's _xlnm._FilterDatabase names. */
  private readonly filterNames: { name: string; localSheetId: number; ranges: string[] }[] = []

  constructor(private readonly o: SinkOptions) {
    this.out = openOutput(o.file, (e) => (this.error ??= e))
    this.wb = new ExcelJS.stream.xlsx.WorkbookWriter({
      stream: this.out,
      useStyles: true,
      useSharedStrings: false,
      // Level 1: the sheet XML is very repetitive, so it still packs ~6:1, at a third of the
      // CPU of the default level (the deflate otherwise becomes the slowest stage).
      zip: { zlib: { level: 1 } }
    })
    // An abort destroys the output under the zip; its complaints are expected, not crashes.
    ;(this.wb as unknown as { zip?: NodeJS.EventEmitter }).zip?.on('error', (e: Error) => (this.error ??= e))
    this.values = new Array(o.columns.length)
    this.styles = new Array(o.columns.length)
    this.renders = o.columns.map((c) => this.render(c))
    this.letters = o.columns.map((_, i) => columnLetters(i + 1))
    this.newSheet()
  }

  private moneyStyle(scale: number, currency: unknown): Partial<ExcelJS.Style> {
    const code = typeof currency === 'string' && /^[A-Z]{3}$/.test(currency) ? currency : ''
    const id = `${scale}|${code}`
    let style = this.moneyStyles.get(id)
    if (!style) {
      style = { numFmt: `#,##0${scale ? '.' + '0'.repeat(scale) : ''}${code ? ` "${code}"` : ''}` }
      this.moneyStyles.set(id, style)
    }
    return style
  }

  private render(c: ExportColumn): Render {
    const t = c.type
    const tz = this.o.timeZone
    const values = this.values
    const styles = this.styles
    const put = (i: number, value: unknown, style: Partial<ExcelJS.Style>): void => {
      values[i] = value
      styles[i] = style
    }
    const text = (i: number, v: unknown): void => {
      if (v === null || v === undefined) return put(i, null, PLAIN)
      const s = cellText(v)
      put(i, s, FORMULA_LIKE.test(s) ? TEXT_GUARD : PLAIN)
    }
    switch (t.kind) {
      case 'text':
        return (r, i) => text(i, valueOf(c, r))
      case 'enum': {
        const labels = t.labels[this.o.language]
        return (r, i) => {
          const v = valueOf(c, r)
          text(i, typeof v === 'string' ? (labels[v] ?? v) : v)
        }
      }
      case 'int':
        return (r, i) => {
          const v = valueOf(c, r)
          put(i, typeof v === 'number' ? v : null, INT)
        }
      case 'money': {
        const div = 10 ** t.scale
        const byCurrency = new Map<unknown, Partial<ExcelJS.Style>>()
        return (r, i) => {
          const v = valueOf(c, r)
          // A column of one currency (the statistics' costs) says it; otherwise the row's currency.
          const currency = t.currency ?? r.currency
          let style = byCurrency.get(currency)
          if (!style) byCurrency.set(currency, (style = this.moneyStyle(t.scale, currency)))
          put(i, typeof v === 'number' ? v / div : null, style)
        }
      }
      case 'percent':
        return (r, i) => {
          const v = valueOf(c, r)
          put(i, typeof v === 'number' && Number.isFinite(v) ? v : null, PERCENT)
        }
      case 'date':
        return (r, i) => {
          const ms = dayMs(valueOf(c, r))
          put(i, ms === null ? null : new Date(ms), DATE)
        }
      case 'datetime':
        return (r, i) => {
          const ms = wallClockOf(valueOf(c, r), tz)
          put(i, ms === null ? null : new Date(ms), DATETIME)
        }
      case 'bool':
        return (r, i) => {
          const v = valueOf(c, r)
          put(i, typeof v === 'boolean' ? v : null, PLAIN)
        }
    }
  }

  private newSheet(): void {
    this.sheets++
    const base = this.o.title[this.o.language]
    const name = this.sheets === 1 ? base : `${base} (${this.sheets})`
    this.ws = this.wb.addWorksheet(name.slice(0, 31), {
      views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }]
    })
    const headers = this.o.columns.map((c) => headerText(c, this.o.language, this.o.timeZone))
    this.ws.columns = this.o.columns.map((c, i) => ({ width: Math.max(c.width ?? 14, Math.min(60, headers[i].length + 3)) }))
    const row = this.ws.addRow(headers)
    for (let i = 0; i < headers.length; i++) row.getCell(i + 1).style = HEADER
    row.commit()
    this.sheetRows = 0
    this.footerRows = 0
    this.raw = this.o.fastRows === false ? null : this.rawStream()
  }

  /** The sheet's open XML stream (after the header opened <sheetData>), if exceljs exposes it. */
  private rawStream(): { write(chunk: string): unknown } | null {
    const ws = this.ws as unknown as { stream?: { write?: unknown }; startedData?: boolean }
    const styles = (this.wb as unknown as { styles?: { addStyleModel?: unknown } }).styles
    if (ws.startedData !== true || typeof ws.stream?.write !== 'function' || typeof styles?.addStyleModel !== 'function') return null
    return ws.stream as { write(chunk: string): unknown }
  }

  private styleId(style: Partial<ExcelJS.Style>, value: unknown): number {
    let id = this.styleIds.get(style)
    if (id === undefined) {
      const styles = (this.wb as unknown as { styles: { addStyleModel(s: unknown, type: number): number } }).styles
      id = styles.addStyleModel(style, value instanceof Date ? ExcelJS.ValueType.Date : ExcelJS.ValueType.Number)
      this.styleIds.set(style, id)
    }
    return id
  }

  private flush(): void {
    if (this.raw && this.chunk) {
      this.raw.write(this.chunk)
      this.chunk = ''
    }
  }

  /** One data row as SpreadsheetML, from the values and styles the renders put. */
  private rowXml(rowNumber: number): string {
    let xml = `<row r="${rowNumber}">`
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i]
      if (v === null || v === undefined) continue
      const s = this.styleId(this.styles[i], v)
      const head = `<c r="${this.letters[i]}${rowNumber}"${s ? ` s="${s}"` : ''}`
      if (typeof v === 'number') xml += Number.isFinite(v) ? `${head}><v>${v}</v></c>` : ''
      else if (typeof v === 'string') xml += `${head} t="inlineStr"><is><t${EDGE_SPACE.test(v) ? ' xml:space="preserve"' : ''}>${xmlText(v)}</t></is></c>`
      else if (v instanceof Date) xml += `${head}><v>${excelSerial(v)}</v></c>`
      else if (typeof v === 'boolean') xml += `${head} t="b"><v>${v ? 1 : 0}</v></c>`
    }
    return xml + '</row>'
  }

  private closeSheet(): void {
    this.flush()
    const last = this.sheetRows + 1
    this.ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: last, column: this.o.columns.length } }
    const col = this.ws.getColumn(this.o.columns.length).letter
    this.filterNames.push({
      name: '_xlnm._FilterDatabase',
      localSheetId: this.sheets - 1,
      ranges: [`'${this.ws.name.replaceAll("'", "''")}'!$A$1:$${col}$${last}`]
    })
    this.ws.commit()
  }

  row(r: SourceRow): void {
    if (this.sheetRows >= this.o.sheetRowLimit) {
      this.closeSheet()
      this.newSheet()
    }
    const n = this.renders.length
    for (let i = 0; i < n; i++) this.renders[i](r, i)
    this.put()
    this.sheetRows++
  }

  footer(r: SourceRow, label: FooterLabel): void {
    const n = this.renders.length
    for (let i = 0; i < n; i++) {
      if (this.o.columns[i].key === label.key) {
        this.values[i] = cellText(label.text)
        this.styles[i] = PLAIN
      } else this.renders[i](r, i)
      this.styles[i] = this.bold(this.styles[i])
    }
    this.put()
    this.footerRows++
  }

  /** A style in bold, the same object each time (one style id). */
  private bold(style: Partial<ExcelJS.Style>): Partial<ExcelJS.Style> {
    let b = this.boldStyles.get(style)
    if (!b) this.boldStyles.set(style, (b = { ...style, font: { bold: true } }))
    return b
  }

  /** Writes the row the renders put. */
  private put(): void {
    if (this.raw) {
      this.chunk += this.rowXml(this.sheetRows + this.footerRows + 2)
      if (this.chunk.length >= 65_536) this.flush()
    } else {
      const row = this.ws.addRow(this.values)
      for (let i = 0; i < this.values.length; i++) row.getCell(i + 1).style = this.styles[i]
      row.commit()
    }
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error
    this.flush()
    // exceljs pipes each sheet's XML into the zip without backpressure: wait here while the
    // zip's input queue is long, or the whole sheet would pile up in memory.
    const sheetStream = (this.ws as unknown as { stream?: { pipes?: NodeJS.WritableStream[] } }).stream
    const pipe = sheetStream?.pipes?.[0] as
      | (NodeJS.WritableStream & { writableLength?: number; _writableState?: { length: number } })
      | undefined
    const queued = (): number => pipe?.writableLength ?? pipe?._writableState?.length ?? 0
    if (!pipe || queued() <= QUEUE_LIMIT) {
      await nextTurn()
      return
    }
    while (queued() > QUEUE_LIMIT / 4 && !this.error) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 100)
        function done(): void {
          clearTimeout(timer)
          pipe?.removeListener('drain', done)
          resolve()
        }
        pipe.once('drain', done)
      })
    }
    if (this.error) throw this.error
  }

  async finish(): Promise<{ sheets: number }> {
    if (this.error) throw this.error
    this.closeSheet()
    // Excel writes a hidden _FilterDatabase name beside each sheet's auto filter (LibreOffice
    // reads the filter from it); exceljs's streaming writer has no API for names with a sheet
    // scope, so its (internal) defined-names model is given them directly when available.
    const book = this.wb as unknown as { _definedNames?: { model: unknown } }
    if (book._definedNames && Array.isArray(book._definedNames.model)) {
      const names = [...(book._definedNames.model as unknown[]), ...this.filterNames]
      book._definedNames = { model: names }
    }
    await this.wb.commit()
    await closed(this.out)
    if (this.error) throw this.error
    return { sheets: this.sheets }
  }

  async abort(): Promise<void> {
    this.out.destroy()
    await closed(this.out)
  }
}

/* ---- CSV ---- */

type CsvRender = (r: SourceRow) => string


export class CsvSink implements Sink {
  private readonly out: fs.WriteStream
  private readonly renders: CsvRender[]
  private buffer: string
  private error: Error | null = null

  constructor(private readonly o: SinkOptions) {
    this.out = openOutput(o.file, (e) => (this.error ??= e))
    this.renders = o.columns.map((c) => this.render(c))
    // Headers are guarded as any text: a price column's header carries the currency code the platform gave.
    this.buffer = '\uFEFF' + o.columns.map((c) => csvText(headerText(c, o.language, o.timeZone))).join(',') + '\r\n'
  }

  private render(c: ExportColumn): CsvRender {
    const t = c.type
    const tz = this.o.timeZone
    switch (t.kind) {
      case 'text':
        return (r) => csvText(valueOf(c, r))
      case 'enum': {
        const labels = t.labels[this.o.language]
        return (r) => {
          const v = valueOf(c, r)
          return csvText(typeof v === 'string' ? (labels[v] ?? v) : v)
        }
      }
      case 'int':
        return (r) => {
          const v = valueOf(c, r)
          return typeof v === 'number' ? String(v) : ''
        }
      case 'money':
        return (r) => {
          const v = valueOf(c, r)
          return typeof v === 'number' ? formatUnits(v, t.scale) : ''
        }
      case 'percent':
        // The header says (%): 0.975 is written 97.50.
        return (r) => {
          const v = valueOf(c, r)
          return typeof v === 'number' && Number.isFinite(v) ? (v * 100).toFixed(2) : ''
        }
      case 'date':
        return (r) => {
          const v = valueOf(c, r)
          return typeof v === 'string' ? v.slice(0, 10) : ''
        }
      case 'datetime':
        return (r) => {
          const ms = wallClockOf(valueOf(c, r), tz)
          return ms === null ? '' : new Date(ms).toISOString().slice(0, 19).replace('T', ' ')
        }
      case 'bool':
        return (r) => {
          const v = valueOf(c, r)
          return typeof v === 'boolean' ? String(v) : ''
        }
    }
  }

  row(r: SourceRow): void {
    let line = ''
    for (let i = 0; i < this.renders.length; i++) line += (i ? ',' : '') + this.renders[i](r)
    this.line(line)
  }

  footer(r: SourceRow, label: FooterLabel): void {
    const cells = this.renders.map((render, i) => (this.o.columns[i].key === label.key ? csvText(label.text) : render(r)))
    this.line(cells.join(','))
  }

  private line(line: string): void {
    this.buffer += line + '\r\n'
    if (this.buffer.length >= 65_536) {
      this.out.write(this.buffer)
      this.buffer = ''
    }
  }

  async drain(): Promise<void> {
    if (this.error) throw this.error
    if (this.out.writableNeedDrain) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.out.removeListener('drain', done)
          this.out.removeListener('error', done)
          resolve()
        }
        this.out.once('drain', done)
        this.out.once('error', done)
      })
      if (this.error) throw this.error
    } else {
      await nextTurn()
    }
  }

  async finish(): Promise<{ sheets: number }> {
    if (this.error) throw this.error
    this.out.end(this.buffer)
    this.buffer = ''
    await closed(this.out)
    if (this.error) throw this.error
    return { sheets: 0 }
  }

  async abort(): Promise<void> {
    this.out.destroy()
    await closed(this.out)
  }
}
