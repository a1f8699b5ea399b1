/** Plain transport types that cross the process boundary. Money is a decimal string. */

export type Channel = 'sms' | 'voice' | 'viber' | 'viber_pr' | 'viber_tx'
export const CHANNELS: readonly Channel[] = ['sms', 'voice', 'viber', 'viber_pr', 'viber_tx']

export type PropertyType = 'legal' | 'individual' | 'entrepreneur'
export const PROPERTY_TYPES: readonly PropertyType[] = ['legal', 'individual', 'entrepreneur']

export interface Page<T> {
  rows: T[]
  total: number
  page: number
  pageSize: number
}

export interface ClientRow {
  id: number
  login: string
  company: string
  name: string
  smsPrice: string
  balance: string
  credit: string
  currency: string
  channel: Channel
}

export interface ClientDetail extends ClientRow {
  site: string
  email: string
  region: string
  activityType: string
  propertyType: PropertyType
  postalAddress: string
  accountingEmail: string
  registeredAt: string
  lastLoginAt: string | null
  loginAttempts: number
  activationRequired: boolean
  referer: string
  smsSubscription: boolean
  updatedAt: string
}

export const CLIENT_SORT_COLUMNS = [
  'id',
  'login',
  'company',
  'name',
  'smsPrice',
  'balance',
  'credit',
  'channel'
] as const
export type ClientSortColumn = (typeof CLIENT_SORT_COLUMNS)[number]

export const SOURCE_KINDS = ['platform', 'sim', 'dispatch'] as const
export type SourceKind = (typeof SOURCE_KINDS)[number]

export interface ConnectionView {
  url: string
  hasToken: boolean
}

export type Theme = 'light' | 'dark' | 'system'
export type Language = 'en' | 'ru'

/** What the SIM provider sync reads (seed: select all / s_<id> / g_<id>). */
export interface SimSyncSettings {
  select: string[]
  /** Days re-read before the last synced day: the provider learns of actions a day late. */
  trailingDays: number
  /** The first day of the first sync, DD-MM-YYYY; empty = 30 days back. */
  from: string
}

export interface SettingsView {
  connections: Record<SourceKind, ConnectionView>
  sim: SimSyncSettings
  language: Language
  theme: Theme
  syncIntervalMinutes: number
  exportDir: string
}

export interface StreamStats {
  fetched: number
  inserted: number
  updated: number
  unchanged: number
  rejected: number
  retries: number
}

export interface StreamState {
  stream: string
  source: SourceKind
  lastSuccessAt: string | null
  lastAttemptAt: string | null
  lastError: { code: string; message: string } | null
  rows: number
}

export interface SyncProgress {
  runId: string
  stream: string
  page: number
  rows: number
  total: number | null
  ratePerSecond: number
  etaSeconds: number | null
}

export interface SyncRunSummary {
  runId: string
  startedAt: string
  finishedAt: string
  seconds: number
  cancelled: boolean
  streams: Record<string, StreamStats & { error: { code: string; message: string } | null }>
}

export interface SyncStatus {
  running: boolean
  progress: SyncProgress | null
  online: boolean
  lastSuccessAt: string | null
  streams: StreamState[]
  lastRun: SyncRunSummary | null
}

export interface AppInfo {
  version: string
  mode: 'electron' | 'browser'
  dataDir: string
  demoAvailable: boolean
}

/** Events pushed from the backend to the renderer. */
export interface EventMap {
  'sync.progress': SyncProgress
  'sync.status': SyncStatus
  'data.changed': { tables: string[] }
}
export type EventName = keyof EventMap
