/**
 * The one contract between the renderer and the backend: channel -> input schema -> output
 * type. The preload script, the Electron IPC registration and the browser bridge are all
 * built from this map, and every payload is validated against its schema before a handler runs.
 */
import { z } from 'zod'
import type {
  AppInfo,
  ClientDetail,
  ClientRow,
  Page,
  SettingsView,
  SyncRunSummary,
  SyncStatus
} from './types'
import { CLIENT_SORT_COLUMNS, SOURCE_KINDS } from './types'
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
  'demo.start': { input: empty, output: out<{ url: string }>() }
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
