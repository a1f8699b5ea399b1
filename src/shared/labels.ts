/**
 * The words of the tables, in English and Russian: one dictionary for the screens (the
 * renderer's i18n messages take these entries from here) and for the exported files (the
 * backend's headers and labels), so a file says exactly what its screen says. Plain text only:
 * vue-i18n reads these as messages, so none has braces or the characters @ $ |.
 *
 * Also the shape of each exported table's screen: its columns, in their order.
 */
import type { ExportTable, Language } from './types'

/** The BCP 47 locale of each language, for Intl (numbers, dates, country names, sorting). */
export const INTL_LOCALES: Record<Language, string> = { en: 'en-US', ru: 'ru-RU' }

const en = {
  /** The tables, as the export dialog and the files' sheets name them. */
  tables: {
    clients: 'Clients',
    transactions: 'Transactions',
    statistics: 'Statistics',
    names: 'Sender names'
  },
  channels: {
    sms: 'SMS',
    voice: 'Voice',
    viber: 'Viber',
    viber_pr: 'Viber PR',
    viber_tx: 'Viber TX'
  },
  /** The Clients table's columns. */
  clientColumns: {
    id: 'ID',
    login: 'Login',
    company: 'Company',
    name: 'Name',
    smsPrice: 'SMS price',
    balance: 'Balance',
    credit: 'Credit',
    channel: 'Channel'
  },
  currency: 'Currency',
  /** The client page's General info fields. */
  clientFields: {
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
  smsSubscription: 'SMS subscription',
  /** The Finance tab's transactions. */
  transactionColumns: {
    date: 'Date',
    credit: 'Credit (mailing costs)',
    debit: 'Debit (top-up)',
    purpose: 'Purpose',
    balanceAfter: 'Balance (after)'
  },
  /** The statistics table: the key column of each grouping, then the figures. */
  statsColumns: {
    day: 'Date',
    operator: 'Country - Operator',
    sender: 'Sender ID',
    'viber-sender': 'Sender ID',
    country: 'Country',
    sentParts: 'Send SMS (parts)',
    deliveredParts: 'SMS (parts) delivered',
    efficiency: 'Efficiency (%)',
    price: 'SMS price'
  },
  statsTotal: 'Total',
  statsUnknown: 'Unknown',
  /** The Names tab. */
  nameColumns: {
    name: 'Name (Sender ID)',
    channel: 'Channel',
    status: 'Status',
    questionnaire: 'Questionnaire'
  },
  nameChannels: {
    sms: 'SMS',
    viber: 'Viber'
  },
  nameStatuses: {
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
  /** Words only the files use: columns no table shows, and whose days a column counts. */
  fileOnly: {
    id: 'ID',
    activationRequired: 'Activation required',
    createdAt: 'Created',
    daysIn: 'days in'
  }
}

export type Labels = typeof en

const ru: Labels = {
  tables: {
    clients: 'Клиенты',
    transactions: 'Операции по счёту',
    statistics: 'Статистика',
    names: 'Имена отправителей'
  },
  channels: {
    sms: 'SMS',
    voice: 'Голос',
    viber: 'Viber',
    viber_pr: 'Viber PR',
    viber_tx: 'Viber TX'
  },
  clientColumns: {
    id: 'ID',
    login: 'Логин',
    company: 'Компания',
    name: 'Имя',
    smsPrice: 'Цена SMS',
    balance: 'Баланс',
    credit: 'Кредит',
    channel: 'Канал'
  },
  currency: 'Валюта',
  clientFields: {
    site: 'Сайт',
    email: 'Эл. почта',
    region: 'Регион',
    company: 'Компания',
    activityType: 'Вид деятельности',
    propertyType: 'Форма собственности',
    postalAddress: 'Почтовый адрес',
    accountingEmail: 'Эл. почта бухгалтерии',
    registeredAt: 'Дата регистрации',
    lastLoginAt: 'Дата последнего входа',
    smsPrice: 'Цена SMS',
    loginAttempts: 'Попытки входа',
    activationRequired: 'Активация',
    referer: 'Реферер'
  },
  propertyTypes: {
    legal: 'Юридическое лицо',
    individual: 'Физическое лицо',
    entrepreneur: 'Индивидуальный предприниматель'
  },
  smsSubscription: 'SMS-подписка',
  transactionColumns: {
    date: 'Дата',
    credit: 'Кредит (расходы на рассылки)',
    debit: 'Дебет (пополнение)',
    purpose: 'Назначение',
    balanceAfter: 'Баланс (после)'
  },
  statsColumns: {
    day: 'Дата',
    operator: 'Страна - Оператор',
    sender: 'Имя отправителя',
    'viber-sender': 'Имя отправителя',
    country: 'Страна',
    sentParts: 'Отправлено SMS (частей)',
    deliveredParts: 'Доставлено SMS (частей)',
    efficiency: 'Эффективность (%)',
    price: 'Стоимость SMS'
  },
  statsTotal: 'Итого',
  statsUnknown: 'Неизвестно',
  nameColumns: {
    name: 'Имя (Sender ID)',
    channel: 'Канал',
    status: 'Статус',
    questionnaire: 'Анкета'
  },
  nameChannels: {
    sms: 'SMS',
    viber: 'Viber'
  },
  nameStatuses: {
    pending: 'На рассмотрении',
    approved: 'Одобрено',
    rejected: 'Отклонено',
    blocked: 'Заблокировано'
  },
  questionnaire: {
    completed: 'Заполнена',
    missing: 'Не заполнена',
    not_required: 'Не требуется'
  },
  fileOnly: {
    id: 'ID',
    activationRequired: 'Требуется активация',
    createdAt: 'Создано',
    daysIn: 'дни по времени'
  }
}

export const LABELS: Record<Language, Labels> = { en, ru }

/**
 * The columns each exported table shows on its screen, in their order (the statistics' `key`
 * is the grouping's column). The files add a Currency column where the screen shows the
 * currency inside the money cells.
 */
export const SCREEN_COLUMNS = {
  clients: ['id', 'login', 'company', 'name', 'smsPrice', 'balance', 'credit', 'channel'],
  transactions: ['date', 'credit', 'debit', 'purpose', 'balanceAfter'],
  statistics: ['key', 'sentParts', 'deliveredParts', 'efficiency', 'price'],
  names: ['name', 'channel', 'status', 'questionnaire']
} as const satisfies Record<ExportTable, readonly string[]>

/** What the export dialog offers for a table, checked: its screen's columns, and the currency where money needs it. */
export const EXPORT_DEFAULT_COLUMNS: Record<ExportTable, string[]> = {
  clients: [...SCREEN_COLUMNS.clients, 'currency'],
  transactions: [...SCREEN_COLUMNS.transactions, 'currency'],
  statistics: [...SCREEN_COLUMNS.statistics],
  names: [...SCREEN_COLUMNS.names]
}
