/**
 * English messages. ru.ts must have exactly the same keys (the type below enforces it).
 * vue-i18n syntax: {name} is a parameter; avoid the characters @ $ | and braces in plain text.
 */
import type { ErrorCode } from '@shared/errors'

const en = {
  app: {
    name: 'SMS Desk',
    mark: 'SD',
    tagline: 'Back office'
  },
  nav: {
    menu: 'Main menu',
    clients: 'Clients',
    settings: 'Settings'
  },
  sync: {
    button: 'Sync',
    buttonHint: 'Download the latest data from the connected servers',
    cancel: 'Cancel',
    starting: 'Starting…',
    rows: '{rows} / {total}',
    rowsNoTotal: '{rows} rows',
    rate: '{rate} rows/s',
    eta: 'ETA {eta}',
    lastSynced: 'Last synced: {time}',
    never: 'Last synced: never',
    exactTime: 'Last successful sync: {time}',
    neverHint: 'Nothing has been synced yet',
    justNow: 'just now',
    offline: 'Offline — showing data synced at {time}',
    offlineNever: 'Offline — showing local data',
    offlineHint: 'The servers cannot be reached. Everything shown comes from the local database.',
    problems: 'Sync problems: {count}',
    problemsTitle: 'These data could not be synced:',
    streamError: '{stream}: {error}',
    finished: 'Sync finished: {inserted} new, {updated} updated',
    finishedWithErrors: 'Sync finished with errors. Hover over the warning next to the Sync button for details.',
    cancelled: 'Sync cancelled'
  },
  streams: {
    platform_clients: 'Clients',
    platform_sender_names: 'Sender names',
    platform_transactions: 'Balance transactions',
    platform_messages: 'Messages',
    sim_call_sms: 'SIM activity',
    dispatch_reports: 'Dispatches'
  },
  topbar: {
    language: 'Language',
    theme: 'Theme',
    langEn: 'EN',
    langRu: 'RU'
  },
  languages: {
    en: 'English',
    ru: 'Русский'
  },
  themes: {
    light: 'Light',
    dark: 'Dark',
    system: 'System'
  },
  clients: {
    title: 'Clients',
    searchPlaceholder: 'Search by ID, login, company or name',
    search: 'Search',
    clearSearch: 'Clear search',
    columns: {
      id: 'ID',
      login: 'Login',
      company: 'Company',
      name: 'Name',
      smsPrice: 'SMS price',
      balance: 'Balance',
      credit: 'Credit',
      channel: 'Channel'
    },
    range: '{from}–{to} of {total}',
    rangeEmpty: '0 of {total}',
    noMatch: 'No clients match «{term}»',
    noMatchHint: 'Search looks in ID, login, company and name.',
    loadFailed: 'Could not load clients',
    retry: 'Retry',
    empty: {
      title: 'No clients yet',
      description:
        'SMS Desk shows the data it has synced from your platform. Connect the platform admin API in Settings and press Sync, or try the app with demo data.',
      settings: 'Open Settings',
      demo: 'Load demo data',
      demoDone: 'Demo data loaded'
    }
  },
  channels: {
    sms: 'SMS',
    voice: 'Voice',
    viber: 'Viber',
    viber_pr: 'Viber PR',
    viber_tx: 'Viber TX'
  },
  settings: {
    title: 'Settings',
    connections: 'Connections',
    connectionsHint:
      'Each source is a server with its own address and optional access token. Tokens are stored encrypted and are never shown again.',
    sources: {
      platform: {
        title: 'Platform (admin API)',
        description: 'Clients, balances, sender names and messages of your platform.'
      },
      sim: {
        title: 'SIM provider',
        description: 'Calls, SMS and USSD of your SIM cards.'
      },
      dispatch: {
        title: 'Dispatch service',
        description: 'Campaigns and their delivery status counts.'
      }
    },
    url: 'Server URL',
    urlPlaceholder: 'https://api.example.com',
    urlInvalid: 'Use an http:// or https:// address without a user name or password, or leave it empty.',
    token: 'Access token',
    tokenPlaceholder: 'Bearer token (optional)',
    tokenSaved: 'Token saved — leave empty to keep',
    tokenInvalid: 'A token may contain only Latin letters, digits and symbols, without spaces.',
    tokenStatusSaved: 'Token saved',
    tokenStatusNone: 'No token',
    clearToken: 'Clear token',
    tokenCleared: 'Token removed',
    test: 'Test connection',
    testOk: 'Connected in {ms} ms',
    save: 'Save',
    saved: 'Settings saved',
    fixErrors: 'Fix the highlighted fields first',
    general: 'General',
    language: 'Language',
    theme: 'Theme',
    syncInterval: 'Auto-sync interval',
    minutes: 'min',
    syncIntervalHint: 'In minutes; 0 turns automatic sync off.',
    exportDir: 'Export folder',
    exportDirPlaceholder: 'Folder for exported Excel files',
    exportDirHint: 'Exported Excel files are saved here.',
    loadFailed: 'Could not load the settings'
  },
  /** Full messages; parameters as the backend sends them. */
  errors: {
    invalid_input: 'Invalid value in “{field}”.',
    unknown_channel: 'SMS Desk does not know this request. Update the app.',
    forbidden: 'Access denied. In the browser mode, open the address SMS Desk printed, including its token.',
    not_found: '{url} answered “404 Not Found”. Check the server address.',
    not_configured: 'The server address is not set. Enter it in Settings.',
    server_unreachable: 'Cannot reach {url}. Check the address and the network connection.',
    server_error: '{url} answered with an error (HTTP {status}). Try again later.',
    server_timeout: '{url} did not answer within {seconds} s.',
    bad_response: '{url} sent a response SMS Desk cannot read.',
    unauthorized: '{url} refused the credentials (HTTP {status}). Check the token.',
    sync_running: 'A sync is already running.',
    sync_cancelled: 'The sync was cancelled.',
    db_too_new:
      'The local database was written by a newer version of SMS Desk (schema {found}, this version knows {known}). Update the app; the database was not changed.',
    db_out_of_order:
      'The local database has an unexpected migration history (at version {version}). It was not changed; contact support.',
    disk_full: 'The disk is full; nothing was changed. Free some space and try again.',
    internal: 'Something went wrong inside SMS Desk. Try again; if it repeats, restart the app.'
  } satisfies Record<ErrorCode, string>,
  /** The same errors without parameters, for when the backend gives none (e.g. a stream's last error). */
  errorsShort: {
    invalid_input: 'Some of the values are not valid.',
    unknown_channel: 'SMS Desk does not know this request. Update the app.',
    forbidden: 'Access denied.',
    not_found: 'Not found.',
    not_configured: 'The server address is not set. Enter it in Settings.',
    server_unreachable: 'The server cannot be reached. Check the address and the network connection.',
    server_error: 'The server answered with an error. Try again later.',
    server_timeout: 'The server did not answer in time.',
    bad_response: 'The server sent a response SMS Desk cannot read.',
    unauthorized: 'The server refused the credentials. Check the token.',
    sync_running: 'A sync is already running.',
    sync_cancelled: 'The sync was cancelled.',
    db_too_new: 'The local database was written by a newer version of SMS Desk. Update the app; the database was not changed.',
    db_out_of_order: 'The local database has an unexpected migration history. It was not changed; contact support.',
    disk_full: 'The disk is full; nothing was changed. Free some space and try again.',
    internal: 'Something went wrong inside SMS Desk. Try again; if it repeats, restart the app.'
  } satisfies Record<ErrorCode, string>
}

export type Messages = typeof en
export default en
