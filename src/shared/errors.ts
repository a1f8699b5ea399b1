/**
 * Errors that cross the process boundary. They carry a stable code that the renderer
 * translates (i18n key `errors.<code>`) and parameters for the message.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unknown_channel',
  'forbidden',
  'not_found',
  'not_configured',
  'server_unreachable',
  'server_error',
  'request_refused',
  'server_timeout',
  'bad_response',
  'response_too_large',
  'response_truncated',
  'unauthorized',
  'sync_running',
  'sync_cancelled',
  'sync_stalled',
  'too_many_rejects',
  'records_unreadable',
  'db_too_new',
  'db_out_of_order',
  'db_damaged',
  'db_unavailable',
  'db_busy',
  'backup_not_found',
  'backup_damaged',
  'insecure_url',
  'key_damaged',
  'disk_full',
  'write_rejected',
  'export_target_invalid',
  'export_path_protected',
  'export_dir_not_found',
  'export_dir_outside_home',
  'export_dir_dialog_only',
  'dialog_unavailable',
  'internal'
] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

export type ErrorParams = Record<string, string | number>

/** What the caller is told of an error SMS Desk did not expect (its detail goes to the log only). */
export const INTERNAL_MESSAGE = 'Something went wrong inside SMS Desk; the details are in its log'

export interface WireError {
  code: ErrorCode
  message: string
  params?: ErrorParams
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly params: ErrorParams = {}
  ) {
    super(message)
    this.name = 'AppError'
  }

  toWire(): WireError {
    return { code: this.code, message: this.message, params: this.params }
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError
}

/** Result envelope used by both transports (Electron IPC and the browser bridge). */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError }
