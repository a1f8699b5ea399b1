/**
 * Balance transactions (openapi/platform.yaml Transaction), consistent with messages and top-ups.
 *
 * Mailing costs are billed once a day per client and channel: the day's message costs (parts ×
 * sms_price, exact at PRICE_SCALE) summed and rounded half up to cents, charged shortly after the
 * day ends ("SMS campaign 2026-11-01"). Top-ups are debits. balance_after is the running balance
 * of the client in exact money and the client's balance equals its last balance_after. The
 * opening balance (before the history window) is set so that the balance never falls below
 * minus the client's credit. Charges for days that end after the server's clock wait in
 * `pending` and are applied by the server as its clock passes them.
 */
import { MONEY_SCALE, formatUnits, parseDecimal } from '../shared/money'
import { CHANNELS, type Channel } from '../shared/types'
import type { ClientProfile, ClientRecord } from './generate'
import { DAY_MS, isoDate, isoTime } from './isotime'
import type { DailyCost } from './messages'
import { Rng } from './random'

export interface TransactionRecord {
  id: number
  client_id: number
  date: string
  /** Mailing costs (>= 0). */
  credit: string
  /** Top-ups (>= 0). */
  debit: string
  purpose: string
  balance_after: string
  currency: string
  updated_at: string
}

/** A day's charge not yet billed (its time is after the server's clock). */
export interface PendingCharge {
  time: number
  clientIndex: number
  /** Money units (MONEY_SCALE). */
  units: number
  purpose: string
}

const CHANNEL_LABEL: Record<Channel, string> = {
  sms: 'SMS',
  voice: 'Voice',
  viber: 'Viber',
  viber_pr: 'Viber PR',
  viber_tx: 'Viber TX'
}

export const TOP_UP_PURPOSES = ['Top-up: bank transfer', 'Top-up: card', 'Top-up: manager', 'Top-up: promo bonus'] as const
export const MAX_TOP_UP_UNITS = 100_000_000 // 1,000,000.00

/** Price units (scale 4) to money units (scale 2), rounded half up. */
export function priceToMoneyUnits(units: number): number {
  return Math.floor((units + 50) / 100)
}

/** When a day's mailing cost is charged: just after the day ends, spread over the clients. */
export function chargeTime(day: number, clientIndex: number, channel: Channel): number {
  return day + DAY_MS + 5 * 60_000 + (clientIndex % 3600) * 1000 + CHANNELS.indexOf(channel) * 37
}

export function chargePurpose(day: number, channel: Channel): string {
  return `${CHANNEL_LABEL[channel]} campaign ${isoDate(day)}`
}

interface Entry {
  time: number
  ci: number
  credit: number
  debit: number
  purpose: string
}

export function buildFinance(options: {
  seed: number
  now: number
  days: number
  clients: ClientRecord[]
  profiles: readonly ClientProfile[]
  costs: readonly DailyCost[]
  topUps: number
}): { clients: ClientRecord[]; transactions: TransactionRecord[]; pending: PendingCharge[] } {
  const { now, clients } = options
  const rng = new Rng(options.seed + 5000)
  const entries: Entry[] = []
  const pending: PendingCharge[] = []
  const spend = new Float64Array(clients.length)
  for (const c of options.costs) {
    const time = chargeTime(c.day, c.clientIndex, c.channel)
    const units = priceToMoneyUnits(c.units)
    const purpose = chargePurpose(c.day, c.channel)
    spend[c.clientIndex] += units
    if (time <= now) entries.push({ time, ci: c.clientIndex, credit: units, debit: 0, purpose })
    else pending.push({ time, clientIndex: c.clientIndex, units, purpose })
  }
  // Top-ups: mostly by the clients who spend, sized to what they spend.
  if (clients.length > 0 && options.topUps > 0) {
    const pickClient = rng.picker(Array.from(spend, (s) => s + 100))
    const picks = new Int32Array(options.topUps)
    const perClient = new Int32Array(clients.length)
    for (let k = 0; k < options.topUps; k++) {
      const ci = pickClient()
      picks[k] = ci
      perClient[ci]++
    }
    const from = now - options.days * DAY_MS
    for (let k = 0; k < options.topUps; k++) {
      const ci = picks[k]
      const share = (spend[ci] / perClient[ci]) * (0.8 + rng.next() * 0.8)
      const typical = rng.pick([50, 100, 100, 200, 500, 1000, 5000]) * 100
      const units = Math.min(MAX_TOP_UP_UNITS, Math.max(typical, Math.ceil(share / 5000) * 5000))
      const time = from + Math.floor(rng.next() * (now - 1000 - from))
      entries.push({ time, ci, credit: 0, debit: units, purpose: rng.pick(TOP_UP_PURPOSES) })
    }
  }
  entries.sort((a, b) => a.time - b.time || a.ci - b.ci || a.purpose.localeCompare(b.purpose))
  pending.sort((a, b) => a.time - b.time || a.clientIndex - b.clientIndex)
  // Opening balances: as generated, raised where the history would overdraw the credit.
  const running = new Float64Array(clients.length)
  const lowest = new Float64Array(clients.length)
  for (const e of entries) {
    running[e.ci] += e.debit - e.credit
    if (running[e.ci] < lowest[e.ci]) lowest[e.ci] = running[e.ci]
  }
  const balance = new Float64Array(clients.length)
  const lastTime = new Float64Array(clients.length)
  clients.forEach((c, i) => {
    const opening = parseDecimal(c.balance, MONEY_SCALE) ?? 0
    const credit = parseDecimal(c.credit, MONEY_SCALE) ?? 0
    balance[i] = Math.max(opening, -credit - lowest[i])
  })
  const transactions: TransactionRecord[] = entries.map((e, k) => {
    balance[e.ci] += e.debit - e.credit
    lastTime[e.ci] = e.time
    const c = clients[e.ci]
    const date = isoTime(e.time)
    return {
      id: k + 1,
      client_id: c.id,
      date,
      credit: formatUnits(e.credit, MONEY_SCALE),
      debit: formatUnits(e.debit, MONEY_SCALE),
      purpose: e.purpose,
      balance_after: formatUnits(balance[e.ci], MONEY_SCALE),
      currency: c.currency,
      updated_at: date
    }
  })
  const updatedClients = clients.map((c, i) => {
    const updated = Math.max(Date.parse(c.updated_at), lastTime[i])
    return { ...c, balance: formatUnits(balance[i], MONEY_SCALE), updated_at: isoTime(updated) }
  })
  return { clients: updatedClients, transactions, pending }
}
