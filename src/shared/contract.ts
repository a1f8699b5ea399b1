/**
 * The one contract between the renderer and the backend: channel -> input schema -> output
 * type. The preload script, the Electron IPC registration and the browser bridge are all
 * built from this map, and every payload is validated against its schema before a handler runs.
 */
import { z } from 'zod'
import type {
  AppInfo,
  BackupInfo,
  ClientDetail,
  ClientFinance,
  ClientRow,
  ExportJob,
  OutboxItem,
  Page,
  SenderNameRow,
  SettingsView,
  StatsResult,
  StoreCheck,
  StoreStatus,
  SyncRunSummary,
  SyncStatus,
  TransactionRow
} from './types'
import { CLIENT_SORT_COLUMNS, EXPORT_TABLES, SOURCE_KINDS, STATS_GROUPS } from './types'
import { amountIssue } from './money'
import {
  isProviderDate,
  SIM_DEEP_DAYS_MAX,
  SIM_DEEP_DAYS_MIN,
  SIM_DEEP_EVERY_MAX,
  SIM_DEEP_EVERY_MIN,
  SIM_SELECT_MAX,
  SIM_SELECTOR,
  SIM_TRAILING_MAX,
  SIM_TRAILING_MIN
} from './sim'
import { STATS_SORT_KEYS } from './statsLines'
import { isConnectionUrl, isToken } from './validation'
import { isTimeZone } from './zone'

/** A phantom marker that carries an output type without a runtime value. */
function out<T>(): T {
  return undefined as unknown as T
}

const empty = z.object({}).strict()

export const urlSchema = z.string().trim().max(2048).refine(isConnectionUrl, 'url')

export const tokenSchema = z.string().max(4096).refine(isToken, 'token')

/**
 * The origin (scheme, host, port) of a connection URL, which its token is bound to: a token
 * saved for one origin is never sent to another. '' for an empty or unusable URL.
 */
export function urlOrigin(url: string): string {
  try {
    const u = new URL(url.trim())
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.origin : ''
  } catch {
    return ''
  }
}

/** This computer: 127.0.0.0/8, ::1, localhost (a hostname as the URL parser normalizes it). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase()
  return h === 'localhost' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** Whether a token may travel to this URL: https, or plain http to this computer only. */
export function mayCarryToken(url: string): boolean {
  try {
    const u = new URL(url.trim())
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname))
  } catch {
    return false
  }
}

const sourceKind = z.enum(SOURCE_KINDS)

export const clientsQuerySchema = z
  .object({
    search: z.string().max(200).default(''),
    sort: z.enum(CLIENT_SORT_COLUMNS).default('id'),
    order: z.enum(['asc', 'desc']).default('asc'),
    page: z.number().int().min(1).max(10_000_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(10)
  })
  .strict()
export type ClientsQuery = z.infer<typeof clientsQuerySchema>

export const settingsPatchSchema = z
  .object({
    connections: z
      .partialRecord(
        sourceKind,
        z
          .object({
            url: urlSchema.optional(),
            /** undefined keeps the stored token, '' clears it. */
            token: tokenSchema.optional()
          })
          .strict()
      )
      .optional(),
    language: z.enum(['en', 'ru']).optional(),
    theme: z.enum(['light', 'dark', 'system']).optional(),
    sim: z
      .object({
        select: z.array(z.string().regex(SIM_SELECTOR, 'sim_select')).min(1).max(SIM_SELECT_MAX),
        trailingDays: z.number().int().min(SIM_TRAILING_MIN).max(SIM_TRAILING_MAX),
        /** A real day written DD-MM-YYYY, or '' for the default (30 days back). */
        from: z.string().refine(isProviderDate, 'date'),
        deepEveryDays: z.number().int().min(SIM_DEEP_EVERY_MIN).max(SIM_DEEP_EVERY_MAX).optional(),
        deepDays: z.number().int().min(SIM_DEEP_DAYS_MIN).max(SIM_DEEP_DAYS_MAX).optional()
      })
      .strict()
      .optional(),
    syncIntervalMinutes: z.number().int().min(0).max(24 * 60).optional(),
    /** The browser mode's export folder (an existing folder in the home folder), '' for the default; Electron: settings.chooseExportDir. */
    exportDir: z.string().trim().max(4096).optional(),
    /** An IANA zone, or '' for this computer's. */
    timeZone: z.string().max(64).refine((v) => v === '' || isTimeZone(v), 'time_zone').optional()
  })
  .strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

/** A calendar day, YYYY-MM-DD, that really exists (a day of the chosen time zone, where it names a period). */
export const daySchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'day')
  .refine((d) => {
    const t = Date.parse(`${d}T00:00:00Z`)
    return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === d
  }, 'day')

export const periodSchema = z
  .object({ from: daySchema, to: daySchema })
  .refine((p) => p.from <= p.to, { message: 'period', path: ['to'] })

/** An amount of money as a plain decimal ("1500.50"); the message of its one issue says why not (money.amountIssue). */
function amountOf(allowZero: boolean) {
  return z
    .string()
    .trim()
    .superRefine((a, ctx) => {
      const issue = amountIssue(a, allowZero)
      if (issue) ctx.addIssue({ code: 'custom', message: issue })
    })
}

/** An amount of money typed by staff: positive, at most 1,000,000.00, at most two decimals. */
export const amountSchema = amountOf(false)

/** The same, zero allowed (a credit can be taken away). */
export const creditAmountSchema = amountOf(true)

const clientId = z.number().int().positive()

export const transactionsQuerySchema = z
  .object({
    clientId,
    from: daySchema,
    to: daySchema,
    page: z.number().int().min(1).max(10_000_000).default(1),
    pageSize: z.number().int().min(1).max(500).default(20),
    order: z.enum(['asc', 'desc']).default('desc')
  })
  .strict()
export type TransactionsQuery = z.infer<typeof transactionsQuerySchema>

export const statsQuerySchema = z
  .object({ group: z.enum(STATS_GROUPS), clientId: clientId.nullable().default(null), from: daySchema, to: daySchema })
  .strict()
export type StatsQuery = z.infer<typeof statsQuerySchema>

/** A file chosen in the save dialog, as export.chooseFile names it: an opaque handle, never a path. */
export const exportTargetSchema = z.string().regex(/^[A-Za-z0-9_-]{32}$/, 'export_target')

/** What a table shows, exported: its filters and sort, and the columns chosen. */
export const exportRequestSchema = z
  .object({
    table: z.enum(EXPORT_TABLES),
    format: z.enum(['xlsx', 'csv']).default('xlsx'),
    columns: z.array(z.string().max(40)).min(1).max(40),
    language: z.enum(['en', 'ru']).default('en'),
    /** The file chosen in the save dialog (export.chooseFile's handle); without one, a generated name in the export folder. */
    target: exportTargetSchema.optional(),
    clients: clientsQuerySchema.omit({ page: true, pageSize: true }).optional(),
    transactions: transactionsQuerySchema.omit({ page: true, pageSize: true }).optional(),
    /** The statistics as the table shows them, in its sort (default: the table's own, statsLines.defaultStatsSort). */
    statistics: statsQuerySchema
      .extend({ sort: z.object({ key: z.enum(STATS_SORT_KEYS), order: z.enum(['asc', 'desc']) }).strict().optional() })
      .optional(),
    names: z.object({ clientId }).strict().optional()
  })
  .strict()
export type ExportRequest = z.infer<typeof exportRequestSchema>

/** A backup's file name: a plain name in the backups folder, never a path. */
export const backupNameSchema = z.string().max(200).regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}\.sqlite$/, 'backup_name')

export const contract = {
  'app.info': { input: empty, output: out<AppInfo>() },
  'settings.get': { input: empty, output: out<SettingsView>() },
  'settings.save': { input: settingsPatchSchema, output: out<SettingsView>() },
  /** Electron only: the export folder chosen in the folder dialog (the settings, unchanged when cancelled). */
  'settings.chooseExportDir': { input: empty, output: out<SettingsView>() },
  'connections.test': {
    input: z
      .object({ source: sourceKind, url: urlSchema, token: tokenSchema.optional() })
      .strict(),
    output: out<{ ok: true; latencyMs: number }>()
  },
  'clients.list': { input: clientsQuerySchema, output: out<Page<ClientRow>>() },
  'clients.get': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: out<ClientDetail>()
  },
  'sync.start': { input: empty, output: out<SyncRunSummary>() },
  'sync.cancel': { input: empty, output: out<{ cancelled: boolean }>() },
  'sync.status': { input: empty, output: out<SyncStatus>() },
  'demo.start': { input: empty, output: out<{ url: string }>() },

  'clients.finance': { input: z.object({ clientId }).strict(), output: out<ClientFinance>() },
  'clients.transactions': { input: transactionsQuerySchema, output: out<Page<TransactionRow>>() },
  'clients.names': { input: z.object({ clientId }).strict(), output: out<SenderNameRow[]>() },
  'clients.topUp': {
    input: z.object({ clientId, amount: amountSchema, comment: z.string().max(500).default('') }).strict(),
    output: out<OutboxItem>()
  },
  'clients.setCredit': {
    input: z.object({ clientId, amount: creditAmountSchema, notifyClient: z.boolean().default(false) }).strict(),
    output: out<OutboxItem>()
  },
  'clients.setSubscription': {
    input: z.object({ clientId, enabled: z.boolean() }).strict(),
    output: out<OutboxItem>()
  },
  'outbox.list': { input: z.object({ clientId: clientId.optional() }).strict(), output: out<OutboxItem[]>() },
  'outbox.flush': { input: empty, output: out<{ sent: number; pending: number }>() },

  'stats.query': { input: statsQuerySchema, output: out<StatsResult>() },

  'export.start': { input: exportRequestSchema, output: out<ExportJob>() },
  'export.cancel': { input: z.object({ id: z.string().uuid() }).strict(), output: out<{ cancelled: boolean }>() },
  'export.status': { input: z.object({ id: z.string().uuid() }).strict(), output: out<ExportJob>() },
  /**
   * Electron only: the save dialog; the file chosen there is kept by the backend behind a
   * handle for export.start (single use, ten minutes), and its name is given for display. null:
   * cancelled. The browser mode has no dialog (dialog_unavailable): it exports to generated names.
   */
  'export.chooseFile': {
    input: z.object({ suggestedName: z.string().max(200), format: z.enum(['xlsx', 'csv']) }).strict(),
    output: out<{ target: string; name: string } | null>()
  },

  /* The local store (Settings, the damaged-database screen): answered even when the database could not be opened. */
  'store.status': { input: empty, output: out<StoreStatus>() },
  /** A full integrity_check; damage found closes the store (it is never written to again). */
  'store.check': { input: empty, output: out<StoreCheck>() },
  'store.backup': { input: empty, output: out<BackupInfo>() },
  /** Restores a backup (the newest without a name); the current file is kept aside. */
  'store.restore': { input: z.object({ name: backupNameSchema.optional() }).strict(), output: out<StoreStatus>() },
  /** Keeps the current file aside and starts with an empty database (settings kept where readable), then syncs. */
  'store.startOver': { input: empty, output: out<StoreStatus>() },
  /** Opens the database again (after space was freed, say). */
  'store.reopen': { input: empty, output: out<StoreStatus>() },
  'store.configure': {
    input: z.object({ keep: z.number().int().min(1).max(100), intervalHours: z.number().int().min(0).max(24 * 30) }).strict(),
    output: out<StoreStatus>()
  }
} as const

export type Contract = typeof contract
export type ChannelName = keyof Contract
export type InputOf<C extends ChannelName> = z.input<Contract[C]['input']>
export type ParsedInputOf<C extends ChannelName> = z.output<Contract[C]['input']>
export type OutputOf<C extends ChannelName> = Contract[C]['output']

export const CHANNEL_NAMES = Object.keys(contract) as ChannelName[]

export function isChannel(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name)
}

/** The backend's side of the contract: one function per channel. */
export type Handlers = {
  [C in ChannelName]: (input: ParsedInputOf<C>) => Promise<OutputOf<C>> | OutputOf<C>
}
