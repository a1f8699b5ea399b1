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
    statistics: 'Statistics',
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
    finishedWithErrors: 'Sync finished with errors. Click the warning sign next to the Sync button for details.',
    finishedWithErrorsPanel: 'Sync finished with errors: they are marked in red in the list.',
    cancelled: 'Sync cancelled',
    clickForDetails: 'Click for details',
    details: 'Sync details'
  },
  syncPanel: {
    statusFailed: 'Could not read the sync state: {error}',
    title: 'Sync',
    connection: 'Connection',
    online: 'Online',
    offline: 'Offline',
    onlineHint: 'The last sync reached the servers.',
    autoSync: 'Auto-sync',
    autoSyncEvery: 'every {n} min',
    autoSyncOff: 'off',
    openSettings: 'Change in Settings',
    lastSuccess: 'Last successful sync',
    never: 'Never',
    idle: 'No sync is running right now.',
    startNow: 'Sync now',
    syncing: 'Syncing {source} · {stream}',
    syncingNow: 'syncing',
    deepReadAt: 'Deep re-read {when}',
    deepReadNever: 'No deep re-read yet',
    page: 'Page {page}',
    rowsOfTotal: '{rows} of {total} rows',
    streams: 'Data on this computer',
    colStream: 'Data',
    colRows: 'Rows stored',
    colLastSuccess: 'Last success',
    colLastAttempt: 'Last attempt',
    notConfigured: 'Not configured',
    notConfiguredHint: 'set the server address in Settings',
    serverMessage: 'What the server or the app reported:',
    errorCode: 'Error code: {code}',
    lastRun: 'Last run',
    runState: {
      ok: 'Completed',
      errors: 'Completed with errors',
      cancelled: 'Cancelled'
    },
    runStarted: 'Started {time} ({rel})',
    runDuration: 'Took {duration}',
    runCancelledNote: 'The run was cancelled: some of the data was not synced this time.',
    runNothing: 'No source was configured, so nothing was synced.',
    noRun: 'No sync has run yet.',
    seconds: '{n} s',
    total: 'Total',
    stats: {
      fetched: 'Fetched',
      inserted: 'New',
      updated: 'Updated',
      unchanged: 'Unchanged',
      rejected: 'Rejected',
      retries: 'Retries'
    },
    statsHint: {
      fetched: 'Records received from the server.',
      inserted: 'Records that were not stored locally before.',
      updated: 'Records that had changed on the server and were updated locally.',
      unchanged: 'Records received again without changes.',
      rejected: 'Records with missing or invalid fields: kept aside, not stored as data.',
      retries: 'Requests repeated after a timeout, a dropped connection or a server error.'
    }
  },
  streams: {
    platform_clients: 'Clients',
    platform_sender_names: 'Sender names',
    platform_transactions: 'Balance transactions',
    platform_messages: 'Messages',
    sim_call_sms: 'SIM calls, SMS and USSD',
    dispatch_reports: 'Dispatch reports'
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
    syncInterval: 'Auto-sync interval (0 = off)',
    minutes: 'min',
    syncIntervalHint:
      'In minutes, from 0 to 1440. With 0 SMS Desk syncs only when you press Sync; otherwise it also syncs on its own at this interval.',
    syncIntervalOff: 'Automatic sync is off',
    syncIntervalOn: 'Syncs automatically every {n} min',
    syncIntervalInvalid: 'Enter a whole number of minutes from 0 to 1440.',
    sim: {
      title: 'What to sync',
      select: 'SIM cards',
      selectPlaceholder: 'Type all, s_15 or g_3 and press Enter',
      selectHint: 'all = every SIM, s_<id> = one SIM, g_<id> = a SIM group. Type a selector and press Enter.',
      selectAll: 'all — every SIM card',
      selectInvalid: 'Not a valid selector: {list}. Use all, s_<id> (one SIM) or g_<id> (a SIM group), e.g. s_15 or g_3.',
      selectEmpty: 'Add at least one selector, e.g. all.',
      selectTooMany: 'At most {max} selectors.',
      selectAllWithOthers: '“all” already includes every SIM card: the other selectors add nothing.',
      trailing: 'Days to re-read',
      trailingSuffix: 'days',
      trailingHint:
        'The provider learns of a call, SMS or USSD only the day after it happened, so each sync reads this many past days again to pick up the late records. From 0 to 60; 3 by default.',
      trailingInvalid: 'Enter a whole number of days from 0 to 60.',
      deep: 'Deep re-read',
      deepEvery: 'every',
      deepBack: 'the last',
      deepHint: 'Now and then the provider learns of an action later than the days re-read above: a deep re-read reads many more days again. 0 turns it off; by default every 7 days, the last 35 days.',
      deepInvalid: 'Enter whole numbers: every 0 to {max} days, the last 1 to {days} days.',
      from: 'First day of the first sync',
      fromPlaceholder: 'Empty: 30 days back',
      fromHint: 'The very first sync starts on this day, and no sync reads anything before it. Empty: 30 days before the first sync.',
      fromInvalid: 'Choose a day that is not in the future.',
      save: 'Save SIM options',
      saved: 'SIM sync options saved',
      appliesNext: 'Changes apply from the next sync.'
    },
    exportDir: 'Export folder',
    exportDirPlaceholder: 'Folder for exported Excel files',
    exportDirHint: 'Exported Excel files are saved here.',
    loadFailed: 'Could not load the settings'
  },
  clientPage: {
    title: 'Client',
    back: 'Clients',
    backHint: 'Back to the list of clients',
    openRow: 'Open the page of client {id}',
    loadFailed: 'Could not load the client',
    notFound: 'Client {id} is not in the local database',
    notFoundHint: 'It may not have been synced yet. Press Sync, or go back to the list.',
    id: 'ID',
    login: 'Login',
    currency: 'Currency',
    retry: 'Retry',
    tabs: {
      general: 'General info',
      finance: 'Finance',
      statistics: 'Statistics',
      names: 'Names'
    }
  },
  general: {
    title: 'General info',
    fields: {
      site: 'Site',
      email: 'Email',
      region: 'Region',
      company: 'Company',
      activityType: 'Type of activity',
      propertyType: 'Property type',
      postalAddress: 'Address, postal',
      accountingEmail: 'Email accounting',
      registeredAt: 'Registration date',
      lastLoginAt: 'Last login date',
      smsPrice: 'SMS price',
      loginAttempts: 'Login attempts',
      activationRequired: 'Activation',
      referer: 'Referer'
    },
    propertyTypes: {
      legal: 'Legal entity',
      individual: 'Individual',
      entrepreneur: 'Entrepreneur'
    },
    activationRequired: 'Required',
    activationNotRequired: 'Not required',
    neverLoggedIn: 'Never',
    notSet: 'Not specified',
    loginAttemptsHint: 'Unsuccessful attempts to log in to the cabinet',
    subscription: {
      title: 'SMS subscription',
      label: 'SMS subscription',
      hint: 'Check or uncheck the box, then press Save. The change is sent to the platform.',
      save: 'Save',
      saved: 'Saved. The change goes to the platform and applies once it confirms.',
      nothingToSave: 'Nothing to save: the subscription is already set this way.',
      pending: 'Pending: waiting for the platform to apply the change',
      sending: 'Sending the change to the platform…',
      applied: 'The platform applied the change',
      rejected: 'The platform rejected the change: {reason}',
      saveFailed: 'Could not save the subscription'
    }
  },
  outbox: {
    title: 'Changes sent to the platform',
    hint: 'Top-ups, credits and subscription changes apply once the platform confirms them.',
    empty: 'No pending or rejected changes.',
    showApplied: 'Show applied ({count})',
    hideApplied: 'Hide applied',
    kinds: {
      top_up: 'Top-up',
      set_credit: 'Credit',
      sms_subscription: 'SMS subscription'
    },
    states: {
      pending: 'Pending',
      sending: 'Sending',
      applied: 'Applied',
      rejected: 'Rejected'
    },
    topUp: 'Top up by {amount}',
    setCredit: 'Set credit to {amount}',
    notify: 'notify the client',
    subscriptionOn: 'Switch the SMS subscription on',
    subscriptionOff: 'Switch the SMS subscription off',
    rejectedReason: 'Rejected by the platform: {reason}',
    retrying: 'Will try again: {error}',
    attempts: 'attempts: {n}',
    loadFailed: 'Could not load the changes sent to the platform'
  },
  finance: {
    balance: 'Balance',
    credit: 'Credit',
    expected: 'After pending changes: {amount}',
    expectedHint: 'Pending changes apply once the platform confirms them.',
    loadFailed: 'Could not load the balance',
    amountPlaceholder: '0.00',
    amountErrors: {
      required: 'Enter an amount.',
      amount_format: 'Enter a number with at most two decimals, e.g. 1500 or 1500.50.',
      amount_positive: 'The amount must be greater than zero.',
      amount_negative: 'The amount cannot be negative.',
      amount_max: 'The amount must not exceed 1,000,000.00.'
    },
    setCredit: {
      title: 'Set credit',
      amount: 'Amount of credit',
      notify: 'Notify the client',
      save: 'Save',
      done: 'Credit of {amount} sent to the platform',
      failed: 'Could not set the credit'
    },
    topUp: {
      title: 'Top up account',
      amount: 'Amount of top-up',
      comment: 'Comment',
      commentPlaceholder: 'Optional',
      save: 'Save',
      done: 'Top-up of {amount} sent to the platform',
      failed: 'Could not top up the account'
    },
    transactions: {
      title: 'Transactions',
      columns: {
        date: 'Date',
        credit: 'Credit (mailing costs)',
        debit: 'Debit (top-up)',
        purpose: 'Purpose',
        balanceAfter: 'Balance (after)'
      },
      empty: 'No transactions in this period',
      loadFailed: 'Could not load the transactions',
      range: '{from}–{to} of {total}'
    }
  },
  period: {
    from: 'Start date',
    to: 'End date',
    invalid: 'The start date must not be after the end date.',
    dateFormat: 'yyyy-MM-dd'
  },
  zone: {
    caption: 'Days in {zone}',
    captionHint: 'Periods, dates, times and statistics use the days of this time zone (Settings)',
    label: 'Time zone',
    hint: 'A day is a day of this zone everywhere: periods, statistics, charts and exports. Times are stored in UTC and shown in this zone.',
    system: 'This computer’s ({zone})',
    search: 'Search zones, e.g. Moscow',
    save: 'Save time zone',
    saved: 'Time zone saved: {zone}',
    regrouping: 'Statistics are being regrouped by the days of {zone}: {percent}',
    regroupingShort: 'Regrouping statistics for {zone}: {percent}',
    shownIn: 'These statistics are still grouped by the days of {zone}.',
    regroupFailed: 'The statistics could not be regrouped for the new time zone: {message}',
    today: 'Today',
    yesterday: 'Yesterday'
  },
  stats: {
    title: 'Statistics',
    allClients: 'All clients',
    subtitle: 'Sending statistics and efficiency of all clients',
    grouping: 'Grouping',
    reports: {
      day: 'by day',
      operator: 'by operator',
      sender: 'by sender ID',
      'viber-sender': 'by Viber sender ID',
      country: 'by country'
    },
    reportTitles: {
      day: 'Grouping by day',
      operator: 'Grouping by operator',
      sender: 'Grouping by sender ID',
      'viber-sender': 'Grouping by Viber sender ID',
      country: 'Grouping by country'
    },
    search: 'Search',
    columns: {
      day: 'Date',
      operator: 'Country - Operator',
      sender: 'Sender ID',
      'viber-sender': 'Sender ID',
      country: 'Country',
      sentParts: 'Send SMS (parts)',
      deliveredParts: 'SMS (parts) delivered',
      efficiency: 'Efficiency (%)',
      price: 'SMS price',
      currency: 'Currency'
    },
    chart: {
      sent: 'Sent',
      delivered: 'Delivered',
      top: 'The {n} largest of {total}, by sent parts'
    },
    total: 'Total',
    empty: 'No messages in this period',
    loadFailed: 'Could not load the statistics',
    unknown: 'Unknown',
    summary: '{rows} rows · {ms} ms',
    stale: 'The period changed: press Search to show it'
  },
  names: {
    columns: {
      name: 'Name (Sender ID)',
      channel: 'Channel',
      status: 'Status',
      questionnaire: 'Questionnaire'
    },
    channels: {
      sms: 'SMS',
      viber: 'Viber'
    },
    statuses: {
      pending: 'Pending',
      approved: 'Approved',
      rejected: 'Rejected',
      blocked: 'Blocked'
    },
    questionnaire: {
      completed: 'Completed',
      missing: 'Not completed',
      not_required: 'Not required'
    },
    empty: 'The client has no sender names',
    loadFailed: 'Could not load the sender names',
    count: '{count} names'
  },
  exports: {
    button: 'Export',
    title: 'Export: {what}',
    tables: {
      clients: 'Clients',
      transactions: 'Transactions',
      statistics: 'Statistics',
      names: 'Sender names'
    },
    columns: 'Columns',
    all: 'All',
    none: 'None',
    format: 'Format',
    formats: {
      xlsx: 'Excel (.xlsx)',
      csv: 'CSV (.csv)'
    },
    askWhere: 'Next you choose where to save the file.',
    toFolder: 'The file is saved in the export folder: {dir}',
    toDefaultFolder: 'The file is saved in the export folder set in Settings.',
    export: 'Export',
    cancel: 'Cancel',
    noColumns: 'Choose at least one column.',
    running: 'Exporting',
    rows: '{rows} of {total} rows',
    rowsNoTotal: '{rows} rows',
    done: 'Exported: {rows} rows',
    savedTo: 'Saved to',
    download: 'Download',
    copyPath: 'Copy path',
    copied: 'Path copied',
    failed: 'Export failed',
    cancelled: 'Export cancelled',
    cancelJob: 'Cancel',
    cancelling: 'Cancelling…',
    dismiss: 'Close',
    startFailed: 'Could not start the export',
    duringSync: 'A sync was running while this file was written: its figures may still change. Export again after the sync for final figures.',
  },
  /** Full messages; parameters as the backend sends them. */
  store: {
    title: 'Local store',
    hint: 'The database on this computer that every screen reads.',
    file: 'File',
    lastBackup: 'Last backup',
    noBackup: 'None yet',
    backupNow: 'Back up now',
    backedUp: 'Backup made: {name}',
    backups: 'Backups',
    backupsHint: 'In {dir}. Each backup was checked before it was kept.',
    noBackups: 'There is no backup yet.',
    colMade: 'Made',
    colSize: 'Size',
    colFile: 'File',
    restore: 'Restore',
    restoreConfirm: 'Restore the backup of {time}? The current database is kept aside (renamed, not deleted), and the app reloads.',
    restored: 'The backup was restored.',
    schedule: 'Automatic backups',
    keep: 'Keep',
    keepSuffix: 'backups',
    every: 'Every',
    everySuffix: 'hours',
    everyHint: '0 turns automatic backups off; “Back up now” still works.',
    scheduleInvalid: 'Keep 1 to 100 backups, every 0 to 720 hours.',
    scheduleSave: 'Save',
    scheduleSaved: 'Saved.',
    integrity: 'Integrity',
    check: 'Check integrity',
    checkOk: 'No problems found: {kind} at {time}, {ms} ms.',
    checkFailed: 'The {kind} found problems in the database:',
    kind: { quick: 'quick check', full: 'full check' },
    neverChecked: 'Not checked yet since the app started.',
    aside: 'Files kept aside',
    asideHint: 'Damaged or replaced databases are renamed, never deleted. Delete them yourself once you no longer need them.',
    runInterrupted: 'Interrupted',
    runInterruptedNote:
      'This sync stopped before its end: the app or the computer was closed, or the process was killed. The next sync goes on from where it stopped.',
    damaged: {
      title: 'The local database is damaged',
      titleUnavailable: 'The local database cannot be opened',
      lead: 'SMS Desk has not changed the file and will not write to it. Choose how to go on:',
      file: 'File: {file}',
      restoreTitle: 'Restore the latest backup',
      restoreText: 'Go back to the backup of {time} ({size}). What was synced after it comes again with the next sync.',
      restoreOther: 'Or choose another backup',
      noBackups: 'There is no backup of this database yet.',
      restoreButton: 'Restore backup',
      startOverTitle: 'Start over',
      startOverText:
        'Keep the damaged file aside (renamed, not deleted) and download everything again from the servers. Settings and connections are kept where they can still be read.',
      startOverButton: 'Start over',
      startOverConfirm: 'Start with an empty database and sync everything again?',
      retryTitle: 'Try again',
      retryText: 'Once the cause is fixed (space freed, the file closed in another program), open the database again.',
      retryButton: 'Try again',
      language: 'Language',
      done: 'Done. The app opens again.',
      yes: 'Yes',
      no: 'No'
    }
  },
  errors: {
    invalid_input: 'Invalid value in “{field}”.',
    unknown_channel: 'SMS Desk does not know this request. Update the app.',
    forbidden: 'Access denied. In the browser mode, open the address SMS Desk printed, including its token.',
    not_found: '{url} answered “404 Not Found”. Check the server address.',
    not_configured: 'The server address is not set. Enter it in Settings.',
    server_unreachable: 'Cannot reach {url}. Check the address and the network connection.',
    server_error: '{url} answered with an error (HTTP {status}). Try again later.',
    request_refused: 'The server refused the request: {reason}. Check the settings.',
    server_timeout: '{url} did not answer within {seconds} s.',
    bad_response: '{url} sent a response SMS Desk cannot read.',
    response_too_large: '{url} sent an answer larger than SMS Desk takes in ({limit} MiB). It was not read; contact the server’s owner.',
    response_truncated: 'The answer from {url} was cut short after {received} bytes. Try again; if it repeats, check the network.',
    unauthorized: '{url} refused the credentials (HTTP {status}). Check the token.',
    sync_running: 'A sync is already running (process {pid}). Wait for it to end, then try again.',
    sync_cancelled: 'The sync was cancelled.',
    sync_stalled: 'The server keeps sending the same records instead of the next ones; the sync of {stream} stopped. Try again later or contact the server’s owner.',
    too_many_rejects: 'The server sent too many damaged records (more than {limit}); the sync of {stream} stopped. What came intact is kept.',
    records_unreadable: '{count} record(s) of {stream} stayed damaged in every read. They are kept aside and asked for again at the next sync.',
    db_too_new:
      'The local database was written by a newer version of SMS Desk (schema {found}, this version knows {known}). Update the app; the database was not changed.',
    db_out_of_order:
      'The local database has an unexpected migration history (at version {version}). It was not changed; contact support.',
    db_damaged: 'The local database is damaged ({problem}). SMS Desk has not changed it: restore a backup or start over.',
    db_unavailable: 'The local database cannot be opened or written: {reason}.',
    db_busy: 'The local database is in use by another program. Close it and try again.',
    backup_not_found: 'There is no backup “{name}”.',
    backup_damaged: 'The backup {name} is damaged; it was not used.',
    disk_full: 'The disk is full; nothing was changed. Free some space and try again.',
    write_rejected: 'The platform refused the change; nothing was changed. Its reason: {reason}',
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
    request_refused: 'The server refused the request. Check the settings.',
    server_timeout: 'The server did not answer in time.',
    bad_response: 'The server sent a response SMS Desk cannot read.',
    response_too_large: 'The server sent an answer too large to take in.',
    response_truncated: 'The answer from the server was cut short. Try again.',
    unauthorized: 'The server refused the credentials. Check the token.',
    sync_running: 'A sync is already running.',
    sync_cancelled: 'The sync was cancelled.',
    sync_stalled: 'The server keeps sending the same records instead of the next ones.',
    too_many_rejects: 'The server sent too many damaged records; the sync of this stream stopped.',
    records_unreadable: 'Some records stayed damaged in every read; they are asked for again at the next sync.',
    db_too_new: 'The local database was written by a newer version of SMS Desk. Update the app; the database was not changed.',
    db_out_of_order: 'The local database has an unexpected migration history. It was not changed; contact support.',
    db_damaged: 'The local database is damaged. SMS Desk has not changed it: restore a backup or start over.',
    db_unavailable: 'The local database cannot be opened or written.',
    db_busy: 'The local database is in use by another program. Close it and try again.',
    backup_not_found: 'There is no backup yet.',
    backup_damaged: 'The backup is damaged; it was not used.',
    disk_full: 'The disk is full; nothing was changed. Free some space and try again.',
    write_rejected: 'The platform refused the change. Nothing was changed.',
    internal: 'Something went wrong inside SMS Desk. Try again; if it repeats, restart the app.'
  } satisfies Record<ErrorCode, string>
}

export type Messages = typeof en
export default en
