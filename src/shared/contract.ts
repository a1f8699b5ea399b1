/**
 * The one contract between the renderer and the backend: channel -> input schema -> output
 * type. The preload script, the Electron IPC registration and the browser bridge are all
 * built from this map, and every payload is validated against its schema before a handler runs.
 */
import { z } from 'zod'
import type {
  AppInfo,
  ClientDetail,
  ClientFinance,
  ClientRow,
  ExportJob,
  OutboxItem,
  Page,
  SenderNameRow,
  SettingsView,
  StatsResult,
  SyncRunSummary,
  SyncStatus,
  TransactionRow
} from './types'
import { CLIENT_SORT_COLUMNS, EXPORT_TABLES, SOURCE_KINDS, STATS_GROUPS } from './types'
import { isConnectionUrl, isToken } from './validation'

/** A phantom marker that carries an output type without a runtime value. */
function out<T>(): T {
  return undefined as unknown as T
}

const empty = z.object({}).strict()

export const urlSchema = z.string().trim().max(2048).refine(isConnectionUrl, 'url')

export const tokenSchema = z.string().max(4096).refine(isToken, 'token')

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
        select: z.array(z.string().regex(/^(all|s_\d{1,12}|g_\d{1,12})$/, 'sim_select')).min(1).max(100),
        trailingDays: z.number().int().min(0).max(60),
        from: z.string().regex(/^(|\d{2}-\d{2}-\d{4})$/, 'date')
      })
      .strict()
      .optional(),
    syncIntervalMinutes: z.number().int().min(0).max(24 * 60).optional(),
    exportDir: z.string().max(4096).optional()
  })
  .strict()
export type SettingsPatch = z.infer<typeof settingsPatchSchema>

/** A calendar day, YYYY-MM-DD (UTC), that really exists. */
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

/** An amount of money typed by staff: positive, at most two decimals, at most 1,000,000.00. */
export const amountSchema = z
  .string()
  .trim()
  .regex(/^\d{1,7}(\.\d{1,2})?$/, 'amount_format')
  .refine((a) => Number(a) > 0, 'amount_positive')
  .refine((a) => Number(a) <= 1_000_000, 'amount_max')

/** The same, zero allowed (a credit can be taken away). */
export const creditAmountSchema = z
  .string()
  .trim()
  .regex(/^\d{1,7}(\.\d{1,2})?$/, 'amount_format')
  .refine((a) => Number(a) <= 1_000_000, 'amount_max')

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

/** What a table shows, exported: its filters and sort, and the columns chosen. */
export const exportRequestSchema = z
  .object({
    table: z.enum(EXPORT_TABLES),
    format: z.enum(['xlsx', 'csv']).default('xlsx'),
    columns: z.array(z.string().max(40)).min(1).max(40),
    language: z.enum(['en', 'ru']).default('en'),
    /** Where to write; default: the export folder from Settings, with a generated name. */
    file: z.string().max(4096).optional(),
    clients: clientsQuerySchema.omit({ page: true, pageSize: true }).optional(),
    transactions: transactionsQuerySchema.omit({ page: true, pageSize: true }).optional(),
    statistics: statsQuerySchema.optional(),
    names: z.object({ clientId }).strict().optional()
  })
  .strict()
export type ExportRequest = z.infer<typeof exportRequestSchema>

export const contract = {
  'app.info': { input: empty, output: out<AppInfo>() },
  'settings.get': { input: empty, output: out<SettingsView>() },
  'settings.save': { input: settingsPatchSchema, output: out<SettingsView>() },
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
  /** Electron only: asks where to save; the browser mode answers with the default path. */
  'export.chooseFile': {
    input: z.object({ suggestedName: z.string().max(200), format: z.enum(['xlsx', 'csv']) }).strict(),
    output: out<{ file: string | null }>()
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
