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

/**
 * Why a connection's token must be entered again: its address moved to another server (the
 * token, bound to the server it was saved for, was removed or is not sent), or it was saved
 * for a plain-http address and removed (tokens travel over https, or to this computer only).
 */
export type TokenReset = 'origin_changed' | 'insecure_url'

export interface ConnectionView {
  url: string
  /** A token is saved for this address's server, and is sent to it. */
  hasToken: boolean
  /** Set when the token must be entered again (absent otherwise). */
  tokenReset?: TokenReset
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
  /**
   * A deep re-read every this many days (0: never) reads the last `deepDays` days again, for
   * actions the provider learns of later than the trailing window.
   */
  deepEveryDays: number
  deepDays: number
}

export interface SettingsView {
  connections: Record<SourceKind, ConnectionView>
  sim: SimSyncSettings
  language: Language
  theme: Theme
  syncIntervalMinutes: number
  exportDir: string
  /** The time zone whose days every screen, filter and export uses; '' = this computer's. */
  timeZone: string
  /** This computer's zone (the backend's): the zone in force while timeZone is ''. */
  systemTimeZone: string
  /** The zone the statistics are grouped by, and a regrouping under way. */
  statsZone: StatsZoneStatus
}

/** The statistics' time zone: the aggregates are grouped by one zone's days, regrouped when it changes. */
export interface StatsZoneStatus {
  /** The zone the statistics are grouped by now. */
  zone: string
  /** The zone they are being regrouped for (in the background), or null. */
  regrouping: string | null
  /** How far that regrouping is, 0..1. */
  progress: number
  /** The last regrouping's failure, if it failed. */
  error: { code: string; message: string } | null
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
  /** When the stream's last deep re-read ended (the SIM provider's), or null. */
  deepReadAt: string | null
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
  /** running while it syncs; interrupted when its process died before the end (db/syncLock.ts). */
  status?: SyncRunStatus
  /** The process that ran it. */
  pid?: number
}

export type SyncRunStatus = 'running' | 'ok' | 'failed' | 'cancelled' | 'interrupted'

export interface SyncStatus {
  running: boolean
  progress: SyncProgress | null
  online: boolean
  lastSuccessAt: string | null
  streams: StreamState[]
  lastRun: SyncRunSummary | null
}

/** How tokens are encrypted at rest: the OS keychain (Electron's safeStorage) or a key file. */
export type SecretStorage = 'keychain' | 'keyFile'

export interface AppInfo {
  version: string
  mode: 'electron' | 'browser'
  dataDir: string
  demoAvailable: boolean
  secretStorage: SecretStorage
}

/** Events pushed from the backend to the renderer. */
export interface EventMap {
  'sync.progress': SyncProgress
  'sync.status': SyncStatus
  'data.changed': { tables: string[] }
  'outbox.changed': { clientId: number }
  'export.progress': ExportJob
  'stats.zone': StatsZoneStatus
  'store.changed': StoreStatus
}
export type EventName = keyof EventMap

/* ---- The client page (Finance, Names), statistics and exports ---- */

export interface TransactionRow {
  id: number
  date: string
  /** Mailing costs (the seed calls them credit). */
  credit: string
  /** Top-ups (the seed calls them debit). */
  debit: string
  purpose: string
  balanceAfter: string
  currency: string
}

export interface SenderNameRow {
  id: number
  name: string
  channel: 'sms' | 'viber'
  status: 'pending' | 'approved' | 'rejected' | 'blocked'
  questionnaire: 'completed' | 'missing' | 'not_required'
}

export const OUTBOX_KINDS = ['top_up', 'set_credit', 'sms_subscription'] as const
export type OutboxKind = (typeof OUTBOX_KINDS)[number]
export type OutboxState = 'pending' | 'sending' | 'applied' | 'rejected'

/** A write to the platform kept locally until the platform has applied or refused it. */
export interface OutboxItem {
  id: string
  kind: OutboxKind
  clientId: number
  /** top_up: {amount, comment}; set_credit: {amount, notifyClient}; sms_subscription: {enabled}. */
  payload: Record<string, string | number | boolean>
  state: OutboxState
  attempts: number
  error: { code: string; message: string } | null
  createdAt: string
  updatedAt: string
}

/** Balance and credit as the platform last said, and as they will be once pending writes apply. */
export interface ClientFinance {
  clientId: number
  currency: string
  balance: string
  credit: string
  /** Balance with pending top-ups added. */
  expectedBalance: string
  /** Credit as the latest pending set-credit asks, or the current one. */
  expectedCredit: string
  smsSubscription: boolean
  expectedSmsSubscription: boolean
  pending: OutboxItem[]
}

export const STATS_GROUPS = ['day', 'operator', 'sender', 'viber-sender', 'country'] as const
export type StatsGroup = (typeof STATS_GROUPS)[number]

export interface StatsRow {
  /** Day (YYYY-MM-DD), "country|operator", sender ID or ISO country code. */
  key: string
  sentParts: number
  deliveredParts: number
  /** delivered / sent parts, null when nothing was sent. */
  efficiency: number | null
  /** Messaging costs: exact decimal at scale 4, per currency. */
  price: string
  currency: string
}

export interface StatsResult {
  group: StatsGroup
  clientId: number | null
  from: string
  to: string
  /** The zone whose days the rows are grouped by (the chosen one, unless a regrouping is under way). */
  timeZone: string
  rows: StatsRow[]
  totals: { sentParts: number; deliveredParts: number; efficiency: number | null; price: string; currency: string }[]
  ms: number
}

export const EXPORT_TABLES = ['clients', 'transactions', 'statistics', 'names'] as const
export type ExportTable = (typeof EXPORT_TABLES)[number]
export type ExportFormat = 'xlsx' | 'csv'
export type ExportState = 'running' | 'done' | 'failed' | 'cancelled'

export interface ExportJob {
  id: string
  table: ExportTable
  format: ExportFormat
  file: string
  state: ExportState
  rows: number
  total: number | null
  error: { code: string; message: string } | null
  startedAt: string
  finishedAt: string | null
  /** A sync was writing while the export ran: its figures may still change. */
  duringSync: boolean
}

/* ---- The local store: integrity, backups (Settings, the damaged-database screen) ---- */

/** ok: open; damaged: refused by an integrity check; unavailable: cannot be opened (disk full, permissions...). */
export type StoreState = 'ok' | 'damaged' | 'unavailable'

export interface StoreCheck {
  kind: 'quick' | 'full'
  ok: boolean
  /** SQLite's own words, the first few. */
  problems: string[]
  checkedAt: string
  ms: number
}

export interface BackupInfo {
  /** The file name in the backups folder (what restore takes). */
  name: string
  createdAt: string
  bytes: number
}

export interface StoreStatus {
  state: StoreState
  /** Why the store is not open (a translated code: db_damaged, disk_full...), or null. */
  error: { code: string; message: string; params?: Record<string, string | number> } | null
  file: string
  backupDir: string
  /** Newest first. */
  backups: BackupInfo[]
  /** How many backups are kept, and how often one is made (hours; 0 = only by hand). */
  keep: number
  intervalHours: number
  lastCheck: StoreCheck | null
  /** Files kept aside by a restore or a start-over (never deleted), newest first. */
  asideFiles: string[]
}
