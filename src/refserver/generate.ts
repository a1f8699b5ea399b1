/**
 * Deterministic reference data: the same seed and sizes always give the same records.
 * Money is generated as integer minor units and served as exact decimal strings.
 */
import { MONEY_SCALE, PRICE_SCALE, formatUnits, parseDecimal } from '../shared/money'
import type { Channel, PropertyType } from '../shared/types'
import { Rng } from './random'
import {
  ACTIVITIES, COMPANY_FORMS, COMPANY_STEMS, COUNTRIES, FIRST_NAMES, LAST_NAMES, SENDER_SUFFIXES, STREETS,
  type Country
} from './world'

export interface GenerateOptions {
  seed: number
  clients: number
  /** The instant the data is generated "as of" (ms). Records are dated before it. */
  now: number
}

/** A platform client as the reference server serves it (openapi/platform.yaml Client). */
export interface ClientRecord {
  id: number
  login: string
  company: string
  name: string
  sms_price: string
  balance: string
  credit: string
  currency: string
  channel: Channel
  site: string
  email: string
  region: string
  activity_type: string
  property_type: PropertyType
  postal_address: string
  accounting_email: string
  registered_at: string
  last_login_at: string | null
  login_attempts: number
  activation_required: boolean
  referer: string
  sms_subscription: boolean
  updated_at: string
}

const DAY = 86_400_000

export function phoneNumber(rng: Rng, country: Country): string {
  const op = rng.pick(country.operators)
  return country.dial + rng.pick(op.codes) + rng.digits(country.subscriberDigits)
}

function slug(s: string): string {
  const map: Record<string, string> = {
    а: 'a', б: 'b', в: 'v', г: 'g', д: 'd', е: 'e', ж: 'zh', з: 'z', и: 'i', й: 'y', к: 'k', л: 'l',
    м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', х: 'h', ц: 'c', ч: 'ch',
    ш: 'sh', щ: 'sch', ы: 'y', ь: '', ъ: '', э: 'e', ю: 'yu', я: 'ya', і: 'i', ї: 'i', є: 'e', ü: 'u', ö: 'o', ä: 'a'
  }
  return s
    .toLowerCase()
    .split('')
    .map((ch) => map[ch] ?? ch)
    .join('')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 30) || 'client'
}

export function generateClient(rng: Rng, id: number, now: number): ClientRecord {
  const country = rng.weighted(COUNTRIES.map((c, i) => [c, [5, 4, 2, 2, 1, 1][i]] as const))
  const property = rng.weighted<PropertyType>([['legal', 6], ['entrepreneur', 3], ['individual', 2]])
  const first = rng.pick(FIRST_NAMES)
  const last = rng.pick(LAST_NAMES)
  const name = `${first} ${last}`
  const stem = rng.pick(COMPANY_STEMS)
  const form = rng.pick(COMPANY_FORMS[property])
  const company = property === 'individual' ? '' : form === '' ? stem : `${form} «${stem}»`
  const domain = `${slug(stem)}${id}.example`
  const registered = now - rng.int(30, 3 * 365) * DAY - rng.int(0, DAY)
  const lastLogin = rng.chance(0.9) ? Math.min(now - 60_000, registered + rng.int(0, now - registered)) : null
  const updated = Math.max(registered, lastLogin ?? 0) + rng.int(0, DAY)
  const channel = rng.weighted<Channel>([['sms', 10], ['viber', 3], ['voice', 1], ['viber_pr', 1], ['viber_tx', 1]])
  return {
    id,
    login: phoneNumber(rng, country),
    company,
    name,
    sms_price: formatUnits(rng.int(150, 900), PRICE_SCALE),
    balance: formatUnits(rng.chance(0.08) ? -rng.int(1, 50_000) : rng.int(0, 5_000_000), MONEY_SCALE),
    credit: formatUnits(rng.chance(0.3) ? rng.int(1, 500) * 1000 : 0, MONEY_SCALE),
    currency: country.currency,
    channel,
    site: property === 'individual' ? '' : `https://${domain}`,
    email: `${slug(first)}.${slug(last)}${id}@${property === 'individual' ? 'mail.example' : domain}`,
    region: rng.pick(country.regions),
    activity_type: rng.pick(ACTIVITIES),
    property_type: property,
    postal_address: `${rng.pick(country.regions)}, ${rng.pick(STREETS)} ${rng.int(1, 250)}`,
    accounting_email: property === 'individual' ? '' : `buh@${domain}`,
    registered_at: new Date(registered).toISOString(),
    last_login_at: lastLogin === null ? null : new Date(lastLogin).toISOString(),
    login_attempts: rng.weighted([[0, 20], [1, 4], [2, 2], [3, 1], [5, 1]]),
    activation_required: rng.chance(0.1),
    referer: rng.chance(0.4) ? rng.pick(['https://google.com/', 'https://yandex.kz/', 'partner:smsbox', 'https://2gis.kz/']) : '',
    sms_subscription: rng.chance(0.7),
    updated_at: new Date(Math.min(updated, now - 1000)).toISOString()
  }
}

export function generateClients(options: GenerateOptions): ClientRecord[] {
  const rng = new Rng(options.seed)
  const out: ClientRecord[] = []
  for (let id = 1; id <= options.clients; id++) out.push(generateClient(rng, id, options.now))
  return out
}

// ---------------------------------------------------------------------------------------------
// Sender names, sub-users and per-client traffic profiles (what messages are built from).

/** A sender name (Sender ID) as served (openapi/platform.yaml SenderName). */
export interface SenderNameRecord {
  id: number
  client_id: number
  name: string
  channel: 'sms' | 'viber'
  status: 'pending' | 'approved' | 'rejected' | 'blocked'
  questionnaire: 'completed' | 'missing' | 'not_required'
  created_at: string
  updated_at: string
}

export interface SubUser {
  login: string
  source: 'api' | 'portal'
}

/** What the message generator knows about a client (fixed at generation time). */
export interface ClientProfile {
  index: number
  id: number
  login: string
  /** The client's main channel. */
  channel: Channel
  currency: string
  country: Country
  /** sms_price in units at PRICE_SCALE. */
  priceUnits: number
  /** Brand used in texts. */
  brand: string
  users: SubUser[]
  /** Approved SMS and Viber sender names (what the client may send from). */
  smsSenders: string[]
  viberSenders: string[]
  /** Relative traffic volume. */
  weight: number
}

export function countryOfClient(c: ClientRecord): Country {
  return COUNTRIES.find((k) => k.currency === c.currency) ?? COUNTRIES[0]
}

/** Latin words of a company stem or a person's name, transliterated. */
function latinWords(s: string): string[] {
  const inner = /«([^»]+)»/.exec(s)?.[1] ?? s
  return slug(inner)
    .split('-')
    .filter(Boolean)
}

function brandOf(c: ClientRecord): string {
  const source = c.company || c.name
  const inner = /«([^»]+)»/.exec(source)?.[1] ?? source.replace(/^(ООО|ТОО|ЕООД|GmbH|LLC|АО|ИП|ЕТ|ФОП)\s+/, '')
  return cutWords(inner, 20)
}

function cutWords(s: string, max: number): string {
  if (s.length <= max) return s
  const words = s.split(' ')
  let out = ''
  for (const w of words) {
    if ((out ? out.length + 1 : 0) + w.length > max) break
    out = out ? `${out} ${w}` : w
  }
  return out || s.slice(0, max)
}

const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1)

/** "Brand" + "INFO", cut so the whole fits in `max` characters. */
function suffixed(base: string, suffix: string, max: number): string {
  return base.length + suffix.length <= max ? base + suffix : base.slice(0, Math.max(1, max - suffix.length)) + suffix
}

export function generateClientProfiles(options: {
  seed: number
  clients: readonly ClientRecord[]
  namesPerClient: number
  now: number
}): { profiles: ClientProfile[]; senderNames: SenderNameRecord[] } {
  const rng = new Rng(options.seed + 2000)
  const profiles: ClientProfile[] = []
  const names: SenderNameRecord[] = []
  let nameId = 0
  const now = options.now
  options.clients.forEach((c, index) => {
    const country = countryOfClient(c)
    const words = latinWords(c.company || c.name.split(' ').slice(-1)[0])
    const alpha = (words.map(cap).join('') || 'Info').slice(0, 11)
    const brand = brandOf(c) || alpha
    const wantsViber = c.channel.startsWith('viber') || rng.chance(0.4)
    const count = options.namesPerClient <= 0 ? 0 : rng.int(1, Math.max(1, options.namesPerClient * 2 - 1))
    const taken = new Set<string>()
    const smsSenders: string[] = []
    const viberSenders: string[] = []
    const registered = Date.parse(c.registered_at)
    for (let k = 0; k < count + (wantsViber ? 1 : 0); k++) {
      const channel: 'sms' | 'viber' = k === 0 ? 'sms' : k === count ? 'viber' : rng.chance(0.7) ? 'sms' : 'viber'
      let name: string
      if (channel === 'sms') {
        const variant = k === 0 ? 0 : rng.int(0, 2)
        name =
          variant === 0 ? alpha
          : variant === 1 ? alpha.toUpperCase()
          : suffixed(words.length ? cap(words[0]) : alpha, rng.pick(SENDER_SUFFIXES), 11)
      } else {
        name = k === count || rng.chance(0.5) ? brand : cutWords(`${brand} ${rng.pick(SENDER_SUFFIXES)}`, 20)
      }
      name = name.slice(0, 20) || 'Info'
      if (taken.has(`${channel}:${name}`)) continue
      taken.add(`${channel}:${name}`)
      // The first name of each channel is the one the client sends from: always approved.
      const first = k === 0 || k === count
      const status = first
        ? 'approved'
        : rng.weighted<SenderNameRecord['status']>([['approved', 6], ['pending', 2], ['rejected', 2], ['blocked', 1]])
      const questionnaire: SenderNameRecord['questionnaire'] =
        status === 'approved' ? rng.weighted([['completed', 4], ['not_required', 2]] as const)
        : status === 'pending' ? rng.weighted([['missing', 2], ['completed', 1]] as const)
        : rng.weighted([['missing', 1], ['completed', 1], ['not_required', 1]] as const)
      const created = first
        ? registered + rng.int(0, 3 * DAY)
        : registered + rng.int(0, Math.max(1, now - registered - DAY))
      const updated = Math.min(now - 1000, created + (status === 'pending' ? 0 : rng.int(3600_000, 5 * DAY)))
      names.push({
        id: ++nameId,
        client_id: c.id,
        name,
        channel,
        status,
        questionnaire,
        created_at: new Date(Math.min(created, updated)).toISOString(),
        updated_at: new Date(updated).toISOString()
      })
      if (status === 'approved') (channel === 'sms' ? smsSenders : viberSenders).push(name)
    }
    const person = latinWords(c.name)
    const users: SubUser[] = [{ login: `${(words[0] ?? 'client').slice(0, 16)}_api`, source: 'api' }]
    const more = rng.int(0, 2)
    for (let u = 0; u < more; u++) {
      const first = slug(rng.pick(FIRST_NAMES)).slice(0, 1) || 'm'
      users.push({ login: `${first}.${person[person.length - 1] ?? 'manager'}${u ? u + 1 : ''}`, source: 'portal' })
    }
    // Heavy-tailed volumes: a few clients send most of the traffic.
    const weight = 1 / Math.pow(1 - rng.next() * 0.999, 0.8) - 0.9
    profiles.push({
      index,
      id: c.id,
      login: c.login,
      channel: c.channel,
      currency: c.currency,
      country,
      priceUnits: parseDecimal(c.sms_price, PRICE_SCALE) ?? 0,
      brand,
      users,
      smsSenders,
      viberSenders,
      weight
    })
  })
  return { profiles, senderNames: names }
}
