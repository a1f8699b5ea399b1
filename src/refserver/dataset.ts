/**
 * The reference server's world: every resource of the three contracts generated from one seed,
 * kept consistent (messages ↔ daily charges ↔ balances), and moved forward by a clock that only
 * advance() moves. Tests read the true data here (server.data).
 */
import { MONEY_SCALE, formatUnits, parseDecimal } from '../shared/money'
import { DispatchStore } from './dispatch'
import { buildFinance, type PendingCharge, type TransactionRecord } from './finance'
import { generateClientProfiles, generateClients, type ClientProfile, type ClientRecord, type SenderNameRecord } from './generate'
import { isoTime } from './isotime'
import { KeysetCollection } from './keyset'
import { MessageStore, type DailyCost } from './messages'
import { Rng } from './random'
import { SimProvider, type SimActionItem, type SimQuery } from './sim'

export interface DatasetOptions {
  seed?: number
  /** Clients (default 500). */
  clients?: number
  /** Messages in all (default 20 per client). */
  messages?: number
  /** Length of the history in days (default 30). */
  days?: number
  /** Sender names per client on average (default 3). */
  namesPerClient?: number
  /** Top-up transactions in the history (default 2 per client); daily charges come on top. */
  transactions?: number
  /** SIM cards (default 20) and SIM groups (default 3). */
  sims?: number
  simGroups?: number
  /** SIM actions over the history (default 10 per SIM and day). */
  simActions?: number
  /** Dispatches of the dispatch service (default 25). */
  dispatches?: number
  /** The instant the data is "as of" (ms); defaults to now. */
  now?: number
}

export interface AdvanceResult {
  /** The clock after the move (ms). */
  now: number
  messagesUpdated: number
  transactionsAdded: number
  simActionsAdded: number
  dispatchesChanged: number
}

/** The SIM provider's actions as a test sees them: only what is visible at the server's clock. */
export interface SimActionsView {
  /** Visible actions (optionally filtered like the API: dates DD-MM-YYYY inclusive, select). */
  visible(filter?: { start?: string; end?: string; select?: string[] }): SimActionItem[]
  /** Every action generated so far, visible or not (for tests of the one-day lag). */
  total(): number
}

/** DD-MM-YYYY (a real date) to its UTC midnight in ms, or null. */
export function parseDdMmYyyy(text: string): number | null {
  const m = /^(\d{2})-(\d{2})-(\d{4})$/.exec(text)
  if (!m) return null
  const ms = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]))
  const d = new Date(ms)
  return d.getUTCDate() === Number(m[1]) && d.getUTCMonth() + 1 === Number(m[2]) ? ms : null
}

export class ReferenceDataset {
  readonly seed: number
  readonly clients: KeysetCollection<ClientRecord>
  readonly senderNames: KeysetCollection<SenderNameRecord>
  readonly transactions: KeysetCollection<TransactionRecord>
  readonly messages: MessageStore
  readonly sim: SimProvider
  readonly simActions: SimActionsView
  readonly dispatches: DispatchStore
  readonly profiles: readonly ClientProfile[]
  /** Milliseconds each part took to generate. */
  readonly timings: Record<string, number> = {}
  private clock: number
  private readonly pendingCharges: PendingCharge[]
  private nextCharge = 0
  private nextTransactionId: number
  private readonly mutationRng: Rng

  constructor(options: DatasetOptions = {}) {
    const seed = (this.seed = options.seed ?? 1)
    const now = (this.clock = options.now ?? Date.now())
    const nClients = options.clients ?? 500
    const days = options.days ?? 30
    const sims = options.sims ?? 20
    this.mutationRng = new Rng(seed + 1000)
    let t = performance.now()
    const lap = (name: string): void => {
      const t2 = performance.now()
      this.timings[name] = Math.round(t2 - t)
      t = t2
    }
    const clients = generateClients({ seed, clients: nClients, now })
    const { profiles, senderNames } = generateClientProfiles({ seed, clients, namesPerClient: options.namesPerClient ?? 3, now })
    this.profiles = profiles
    lap('clients')
    const costs: DailyCost[] = []
    this.messages = new MessageStore(
      { seed, now, days, count: options.messages ?? nClients * 20, clients: profiles },
      (c) => costs.push(c)
    )
    lap('messages')
    const finance = buildFinance({
      seed,
      now,
      days,
      clients,
      profiles,
      costs,
      topUps: options.transactions ?? nClients * 2
    })
    this.pendingCharges = finance.pending
    this.nextTransactionId = finance.transactions.length + 1
    this.clients = new KeysetCollection(finance.clients)
    this.senderNames = new KeysetCollection(senderNames)
    this.transactions = new KeysetCollection(finance.transactions)
    lap('finance')
    this.sim = new SimProvider({
      seed,
      now,
      days,
      sims,
      groups: options.simGroups ?? 3,
      actions: options.simActions ?? sims * 10 * (days + 1)
    })
    lap('sim')
    this.dispatches = new DispatchStore({ seed, now, days, count: options.dispatches ?? 25 })
    lap('dispatches')
    this.simActions = {
      visible: (filter = {}) => this.sim.visible(this.clock, this.simQuery(filter)),
      total: () => this.sim.actionCount
    }
  }

  /** The server's clock (ms): what "now" is for the data. Only advance() moves it. */
  get now(): number {
    return this.clock
  }

  /**
   * Moves the clock forward by `ms`: delivery reports due by then are applied to messages,
   * finished days are billed, SIM actions of the new days are generated (and yesterday's
   * become visible), and dispatches progress.
   */
  advance(ms: number): AdvanceResult {
    if (!Number.isFinite(ms) || ms < 0) throw new Error('advance(ms): expected a non-negative number of milliseconds')
    this.clock += ms
    const clock = this.clock
    const messagesUpdated = this.messages.advanceTo(clock)
    let transactionsAdded = 0
    while (this.nextCharge < this.pendingCharges.length && this.pendingCharges[this.nextCharge].time <= clock) {
      const p = this.pendingCharges[this.nextCharge++]
      this.charge(this.profiles[p.clientIndex].id, p.units, p.purpose, p.time)
      transactionsAdded++
    }
    const simActionsAdded = this.sim.ensureDays(clock)
    const dispatchesChanged = this.dispatches.advanceTo(clock)
    return { now: clock, messagesUpdated, transactionsAdded, simActionsAdded, dispatchesChanged }
  }

  /** Appends a transaction for a client and moves its balance (exact, in money units). */
  private book(clientId: number, credit: number, debit: number, purpose: string, at: number): { client: ClientRecord; transaction: TransactionRecord } {
    const c = this.clients.get(clientId)
    if (!c) throw new Error(`no client ${clientId}`)
    const balance = (parseDecimal(c.balance, MONEY_SCALE) ?? 0) + debit - credit
    const date = isoTime(at)
    const transaction = this.transactions.put(
      {
        id: this.nextTransactionId++,
        client_id: clientId,
        date,
        credit: formatUnits(credit, MONEY_SCALE),
        debit: formatUnits(debit, MONEY_SCALE),
        purpose,
        balance_after: formatUnits(balance, MONEY_SCALE),
        currency: c.currency,
        updated_at: date
      },
      at
    )
    const client = this.clients.put({ ...c, balance: formatUnits(balance, MONEY_SCALE) }, at)
    return { client, transaction }
  }

  private charge(clientId: number, units: number, purpose: string, at: number): void {
    this.book(clientId, units, 0, purpose, at)
  }

  /** A top-up of `units` (money units) at the server's clock. */
  topUp(clientId: number, units: number, purpose: string): { client: ClientRecord; transaction: TransactionRecord } {
    return this.book(clientId, 0, units, purpose, this.clock)
  }

  setCredit(clientId: number, units: number): ClientRecord {
    const c = this.clients.get(clientId)
    if (!c) throw new Error(`no client ${clientId}`)
    return this.clients.put({ ...c, credit: formatUnits(units, MONEY_SCALE) }, this.clock)
  }

  setSmsSubscription(clientId: number, enabled: boolean): ClientRecord {
    const c = this.clients.get(clientId)
    if (!c) throw new Error(`no client ${clientId}`)
    return this.clients.put({ ...c, sms_subscription: enabled }, this.clock)
  }

  // ----------------------------------------------------------------------- mid-sync changes

  /** A client logs in (the 'shift' fault on clients). */
  touchClient(): void {
    const all = this.clients.all()
    if (!all.length) return
    const victim = all[this.mutationRng.int(0, all.length - 1)]
    this.clients.put({ ...victim, last_login_at: isoTime(this.clock) }, this.clock)
  }

  /** A sender name is reviewed (the 'shift' fault on sender names). */
  touchSenderName(): void {
    const all = this.senderNames.all()
    if (!all.length) return
    const victim = all[this.mutationRng.int(0, all.length - 1)]
    const status = victim.status === 'pending' ? this.mutationRng.pick(['approved', 'rejected'] as const) : victim.status
    const questionnaire = victim.questionnaire === 'missing' ? 'completed' : victim.questionnaire
    this.senderNames.put({ ...victim, status, questionnaire }, this.clock)
  }

  /** Another manager tops up a client (the 'shift' fault on transactions). */
  touchTransactions(): void {
    if (!this.profiles.length) return
    const p = this.profiles[this.mutationRng.int(0, this.profiles.length - 1)]
    this.topUp(p.id, this.mutationRng.int(1, 200) * 500, 'Top-up: card')
  }

  /** A delivery report arrives (the 'shift' fault on messages). */
  touchMessage(): void {
    this.messages.touch(this.clock, this.mutationRng)
  }

  /** Late operator data (the 'shift' fault on call_sms): a visible action dated in [fromSec, beforeSec). */
  insertLateSimAction(q: SimQuery, fromSec: number, beforeSec: number): void {
    this.sim.insertLate(q, fromSec, beforeSec, this.mutationRng)
  }

  // ----------------------------------------------------------------------- SIM queries

  /** Builds a SIM query from API-style filter values; throws Error(message) on bad input. */
  simQuery(filter: { start?: string; end?: string; select?: string[] }): SimQuery {
    let fromSec: number | null = null
    let toSec: number | null = null
    if (filter.start !== undefined) {
      const ms = parseDdMmYyyy(filter.start)
      if (ms === null) throw new Error(`filter.start: expected a date DD-MM-YYYY, got "${filter.start}"`)
      fromSec = ms / 1000
    }
    if (filter.end !== undefined) {
      const ms = parseDdMmYyyy(filter.end)
      if (ms === null) throw new Error(`filter.end: expected a date DD-MM-YYYY, got "${filter.end}"`)
      toSec = ms / 1000 + 86_400
    }
    if (fromSec !== null && toSec !== null && fromSec >= toSec) throw new Error('filter.start is after filter.end')
    const select = filter.select ?? []
    if (select.length === 0 || select.includes('all')) {
      for (const s of select) this.selector(s)
      return { fromSec, toSec, mask: null }
    }
    const mask = new Uint8Array(this.sim.sims.length)
    for (const s of select) for (const k of this.selector(s)) mask[k] = 1
    return { fromSec, toSec, mask }
  }

  /** SIM indices a selector names; throws on an unknown selector. */
  private selector(s: unknown): number[] {
    if (s === 'all') return this.sim.sims.map((_, k) => k)
    const m = typeof s === 'string' ? /^([sg])_(\d+)$/.exec(s) : null
    if (!m) throw new Error(`select: unknown selector ${JSON.stringify(s)}; expected all, s_<id> or g_<id>`)
    const id = Number(m[2])
    if (m[1] === 's') {
      const k = this.sim.simIndexOf(id)
      if (k === undefined) throw new Error(`select: no SIM card with id ${id}`)
      return [k]
    }
    const group = this.sim.groups.find((g) => g.id === id)
    if (!group) throw new Error(`select: no SIM group with id ${id}`)
    return group.simIds.map((sid) => this.sim.simIndexOf(sid)!)
  }
}
