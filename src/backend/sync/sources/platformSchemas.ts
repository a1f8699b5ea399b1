/**
 * Wire schemas of the platform API (openapi/platform.yaml). Records that fail them are
 * quarantined by the sync, never stored as data.
 */
import { z } from 'zod'
import { MONEY_SCALE, PRICE_SCALE, parseDecimal } from '../../../shared/money'
import { CHANNELS, PROPERTY_TYPES } from '../../../shared/types'
import { isIsoUtc } from '../validate'

const text = (max: number) => z.string().max(max)
const isoUtc = z.string().refine(isIsoUtc, 'expected an ISO-8601 UTC timestamp')
const money = (scale: number) =>
  z
    .string()
    .refine((s) => parseDecimal(s, scale) !== null, `expected a decimal with at most ${scale} decimals`)
    .transform((s) => parseDecimal(s, scale) as number)

export const clientWireSchema = z
  .object({
    id: z.number().int().positive(),
    login: text(64).min(1),
    company: text(300),
    name: text(300),
    sms_price: money(PRICE_SCALE),
    balance: money(MONEY_SCALE),
    credit: money(MONEY_SCALE),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code'),
    channel: z.enum(CHANNELS as [string, ...string[]]),
    site: text(500),
    email: text(320),
    region: text(200),
    activity_type: text(200),
    property_type: z.enum(PROPERTY_TYPES as [string, ...string[]]),
    postal_address: text(500),
    accounting_email: text(320),
    registered_at: isoUtc,
    last_login_at: isoUtc.nullable(),
    login_attempts: z.number().int().min(0),
    activation_required: z.boolean(),
    referer: text(500),
    sms_subscription: z.boolean(),
    updated_at: isoUtc
  })
  .passthrough()

/** A DRF page as the platform sends it. Results stay unknown: each is checked on its own. */
export const drfPageSchema = z.object({
  count: z.number().int().min(0),
  next: z.string().nullable(),
  previous: z.string().nullable(),
  results: z.array(z.unknown())
})
export type DrfPage = z.output<typeof drfPageSchema>

export const senderNameWireSchema = z
  .object({
    id: z.number().int().positive(),
    client_id: z.number().int().positive(),
    name: text(20).min(1),
    channel: z.enum(['sms', 'viber']),
    status: z.enum(['pending', 'approved', 'rejected', 'blocked']),
    questionnaire: z.enum(['completed', 'missing', 'not_required']),
    created_at: isoUtc,
    updated_at: isoUtc
  })
  .passthrough()

const nonNegativeMoney = money(MONEY_SCALE).refine((n) => n >= 0, 'expected an amount of zero or more')

export const transactionWireSchema = z
  .object({
    id: z.number().int().positive(),
    client_id: z.number().int().positive(),
    date: isoUtc,
    credit: nonNegativeMoney,
    debit: nonNegativeMoney,
    purpose: text(500),
    balance_after: money(MONEY_SCALE),
    currency: z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 code'),
    updated_at: isoUtc
  })
  .passthrough()

export const messageWireSchema = z
  .object({
    id: z.number().int().positive(),
    client_id: z.number().int().positive(),
    user: text(100),
    source: z.enum(['api', 'portal']),
    channel: z.enum(CHANNELS as [string, ...string[]]),
    sender: text(50),
    recipient: z.string().regex(/^\d{5,16}$/, 'expected the recipient number in digits'),
    country: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166 country code'),
    operator: text(100),
    status: z.string().min(1).max(40),
    parts: z.number().int().min(1).max(255),
    cost: money(PRICE_SCALE).refine((n) => n >= 0, 'expected a cost of zero or more'),
    text: text(10_000),
    created_at: isoUtc,
    sent_at: isoUtc.nullable(),
    finished_at: isoUtc.nullable(),
    campaign_id: z.number().int().positive().nullable(),
    idx: text(100).nullable(),
    updated_at: isoUtc
  })
  .passthrough()
