/**
 * Deterministic reference data: the same seed and sizes always give the same records.
 * Money is generated as integer minor units and served as exact decimal strings.
 */
import { MONEY_SCALE, PRICE_SCALE, formatUnits } from '../shared/money'
import type { Channel, PropertyType } from '../shared/types'
import { Rng } from './random'
import {
  ACTIVITIES, COMPANY_FORMS, COMPANY_STEMS, COUNTRIES, FIRST_NAMES, LAST_NAMES, STREETS,
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
