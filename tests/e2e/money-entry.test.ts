/**
 * Money entry in Chromium: the amount field keeps what was typed and refuses what is not an
 * amount (nothing is sent); English and Russian separators; every top-up and credit change is
 * confirmed in a dialog showing the exact amount (Cancel sends nothing); with the platform
 * down the toast says queued, not applied, and the top bar shows the failed streams and the
 * last successful sync.
 */
import net from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SyncStatus } from '../../src/shared/types'
import { ARTIFACTS, startE2E, type E2E } from './browser'

let e: E2E
const CLIENT = 5

beforeAll(async () => {
  e = await startE2E({ clients: 20, messages: 600, days: 10, sims: 1, dispatches: 2 })
  await e.backend.dispatch('settings.save', {
    connections: { platform: { url: e.server.url }, sim: { url: e.server.url }, dispatch: { url: e.server.url } }
  })
  await e.backend.dispatch('sync.start', {})
  await e.page.reload()
  await e.page.locator(`[data-testid=client-row][data-id="${CLIENT}"]`).click()
  await e.page.getByTestId('client-page').waitFor()
  await e.page.getByTestId('client-tab-finance').click()
})
afterAll(async () => {
  await e?.close()
})

const outboxCount = (): number => e.backend.db.prepare('SELECT count(*) FROM outbox').pluck().get() as number
const lastOutboxId = (): string => e.backend.db.prepare('SELECT id FROM outbox ORDER BY seq DESC LIMIT 1').pluck().get() as string
const serverTopUps = (): string[] =>
  e.server.data.transactions
    .all()
    .filter((t) => t.client_id === CLIENT && t.debit !== '0.00')
    .map((t) => t.debit)
/** Minor units of a plain decimal string, exactly. */
const units = (amount: string): bigint => {
  const [whole, frac = ''] = amount.split('.')
  return BigInt(whole + frac.padEnd(2, '0'))
}
const spaces = (s: string | null): string => (s ?? '').replace(/\s/g, ' ')
const dialog = () => e.page.getByTestId('amount-confirm')

async function typeAmount(field: 'topup-amount' | 'credit-amount', text: string): Promise<void> {
  const input = e.page.locator(`[data-testid=${field}] input`)
  await input.fill('')
  await input.pressSequentially(text)
  // Kept exactly as typed: nothing filtered, nothing cut, nothing reformatted.
  await expect(input.inputValue()).resolves.toBe(text)
}

async function settled(): Promise<void> {
  await e.page.waitForTimeout(700) // anything that would be sent has been by then
}

describe('money entry in Chromium', () => {
  it('refuses what is not an amount with a message and sends nothing', async () => {
    const outbox = outboxCount()
    const topUps = serverTopUps().length
    const cases: [string, string, RegExp][] = [
      ['1e5', 'amount_format', /Enter the amount as a number/],
      ['12abc', 'amount_format', /Enter the amount as a number/],
      ['1o0', 'amount_format', /Enter the amount as a number/],
      ['12.345', 'amount_decimals', /at most two decimals/],
      ['1,5', 'amount_ambiguous', /Is the comma a decimal point/],
      ['1,00,0', 'amount_grouping', /Check the separators/],
      ['1234567890'.repeat(4), 'amount_max', /must not exceed 1,000,000\.00/]
    ]
    for (const [text, code, message] of cases) {
      await typeAmount('topup-amount', text)
      await e.page.getByTestId('topup-save').click()
      const error = e.page.getByTestId('topup-amount-error')
      await expect.poll(() => error.getAttribute('data-error')).toBe(code)
      await expect(error.textContent()).resolves.toMatch(message)
      await expect(dialog().count()).resolves.toBe(0)
      if (text === '1o0') {
        await e.page.waitForTimeout(400) // the message's fade-in
        await e.shot('60-money-entry-error-en')
      }
    }
    await settled()
    expect(outboxCount()).toBe(outbox)
    expect(serverTopUps().length).toBe(topUps)
  })

  it('confirms "1,000.50" in English with the exact amount; Cancel sends nothing, Confirm applies 1000.50', async () => {
    const c = e.server.data.clients.get(CLIENT)!
    const before = c.balance
    const topUps = serverTopUps().length
    const outbox = outboxCount()
    await typeAmount('topup-amount', '1,000.50')
    await e.page.locator('[data-testid=topup-comment] input').fill('Wire 77')
    await e.page.getByTestId('topup-save').click()
    await dialog().waitFor()
    await expect(dialog().getAttribute('data-amount')).resolves.toBe('1000.50')
    await expect(dialog().getAttribute('data-kind')).resolves.toBe('top_up')
    const shown = new Intl.NumberFormat('en-US', { style: 'currency', currency: c.currency, minimumFractionDigits: 2, maximumFractionDigits: 2 })
      .format('1000.50' as Intl.StringNumericLiteral)
    await expect(e.page.getByTestId('confirm-amount').textContent()).resolves.toBe(shown)
    expect(shown).toContain('1,000.50')
    await expect(e.page.getByTestId('confirm-currency').textContent()).resolves.toBe(c.currency)
    const client = await e.page.getByTestId('confirm-client').textContent()
    expect(client).toContain(`(ID ${CLIENT})`)
    expect(client).toContain(c.name || c.company || c.login)
    await expect(dialog().textContent()).resolves.toContain('Wire 77')
    await e.page.waitForTimeout(400) // the dialog's fade-in
    await e.page.screenshot({ path: path.join(ARTIFACTS, '61-money-confirm-en.png') })

    await e.page.getByTestId('confirm-cancel').click()
    await dialog().waitFor({ state: 'detached' })
    await settled()
    expect(outboxCount()).toBe(outbox)
    expect(serverTopUps().length).toBe(topUps)
    await expect(e.page.locator('[data-testid=topup-amount] input').inputValue()).resolves.toBe('1,000.50')

    await e.page.getByTestId('topup-save').click()
    await dialog().waitFor()
    await e.page.getByTestId('confirm-ok').click()
    await expect.poll(() => serverTopUps().length, { timeout: 15_000 }).toBe(topUps + 1)
    expect(serverTopUps().at(-1)).toBe('1000.50')
    expect(units(e.server.data.clients.get(CLIENT)!.balance) - units(before)).toBe(100_050n)
    expect(outboxCount()).toBe(outbox + 1)
    const id = lastOutboxId()
    const toast = e.page.locator(`[data-testid=write-feedback][data-id="${id}"]`)
    await expect.poll(() => toast.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('applied')
    await expect(toast.textContent()).resolves.toBe(`Top-up of ${shown} applied by the platform`)
  })

  it('confirms a credit change; Cancel sends nothing, Confirm sets it exactly', async () => {
    const outbox = outboxCount()
    await typeAmount('credit-amount', '2,500.05')
    await e.page.getByTestId('credit-save').click()
    await dialog().waitFor()
    await expect(dialog().getAttribute('data-kind')).resolves.toBe('set_credit')
    await expect(dialog().getAttribute('data-amount')).resolves.toBe('2500.05')
    await expect(e.page.getByTestId('confirm-amount').textContent()).resolves.toContain('2,500.05')
    await e.page.getByTestId('confirm-cancel').click()
    await dialog().waitFor({ state: 'detached' })
    await settled()
    expect(outboxCount()).toBe(outbox)
    await e.page.getByTestId('credit-save').click()
    await e.page.getByTestId('confirm-ok').click()
    await expect.poll(() => e.server.data.clients.get(CLIENT)!.credit, { timeout: 15_000 }).toBe('2500.05')
  })

  it('confirms "1 000,50" in Russian with the exact amount and applies exactly 1000.50', async () => {
    await e.page.getByTestId('lang-ru').click()
    await e.page.getByTestId('client-tab-finance').filter({ hasText: 'Финансы' }).waitFor()
    const c = e.server.data.clients.get(CLIENT)!
    const before = c.balance
    const topUps = serverTopUps().length

    // Refusals in Russian, the limit written the Russian way.
    await typeAmount('topup-amount', '1o0')
    await e.page.getByTestId('topup-save').click()
    await expect(e.page.getByTestId('topup-amount-error').textContent()).resolves.toContain('Введите сумму числом')
    await typeAmount('topup-amount', '1 000 000,01')
    await e.page.getByTestId('topup-save').click()
    await expect.poll(async () => spaces(await e.page.getByTestId('topup-amount-error').textContent())).toContain('не может превышать 1 000 000,00')
    await typeAmount('topup-amount', '1.000,50')
    await e.page.getByTestId('topup-save').click()
    await expect.poll(() => e.page.getByTestId('topup-amount-error').getAttribute('data-error')).toBe('amount_grouping')
    await expect(dialog().count()).resolves.toBe(0)

    await typeAmount('topup-amount', '1 000,50')
    await e.page.getByTestId('topup-save').click()
    await dialog().waitFor()
    await expect(dialog().getAttribute('data-amount')).resolves.toBe('1000.50')
    const shown = new Intl.NumberFormat('ru-RU', { style: 'currency', currency: c.currency, minimumFractionDigits: 2, maximumFractionDigits: 2 })
      .format('1000.50' as Intl.StringNumericLiteral)
    await expect(e.page.getByTestId('confirm-amount').textContent()).resolves.toBe(shown)
    expect(spaces(shown)).toContain('1 000,50')
    await expect(dialog().textContent()).resolves.toContain('Подтвердите пополнение')
    await e.page.waitForTimeout(400)
    await e.page.screenshot({ path: path.join(ARTIFACTS, '62-money-confirm-ru.png') })

    await e.page.getByTestId('confirm-cancel').click()
    await dialog().waitFor({ state: 'detached' })
    await settled()
    expect(serverTopUps().length).toBe(topUps)

    await e.page.getByTestId('topup-save').click()
    await e.page.getByTestId('confirm-ok').click()
    await expect.poll(() => serverTopUps().length, { timeout: 15_000 }).toBe(topUps + 1)
    expect(serverTopUps().at(-1)).toBe('1000.50')
    expect(units(e.server.data.clients.get(CLIENT)!.balance) - units(before)).toBe(100_050n)
    const toast = e.page.locator(`[data-testid=write-feedback][data-id="${lastOutboxId()}"]`)
    await expect.poll(() => toast.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('applied')
    await expect(toast.textContent()).resolves.toContain('применено платформой')
    await e.page.getByTestId('lang-en').click()
    await e.page.getByTestId('client-tab-finance').filter({ hasText: 'Finance' }).waitFor()
  })

  it('with the platform down: the toast says queued, the top bar the failed streams and the last successful sync', async () => {
    const port = await closedPort()
    await e.backend.dispatch('settings.save', { connections: { platform: { url: `http://127.0.0.1:${port}` } } })
    await e.page.getByTestId('sync-button').click()
    await e.page.mouse.move(640, 700) // no tooltip of the button in the pictures
    const badge = e.page.getByTestId('sync-errors')
    await badge.waitFor({ timeout: 60_000 })
    await expect.poll(() => e.page.getByTestId('sync-button').isEnabled(), { timeout: 60_000 }).toBe(true)

    const status = (await e.backend.dispatch('sync.status', {})) as { ok: true; value: SyncStatus }
    const streams = status.value.streams
    const failed = streams.filter((s) => s.lastError).map((s) => s.stream)
    expect(failed.sort()).toEqual(['platform.clients', 'platform.messages', 'platform.sender_names', 'platform.transactions'])
    await expect(badge.textContent()).resolves.toContain(`4 of ${streams.length} sources failed`)
    await expect(badge.getAttribute('data-failed')).resolves.toBe('4')
    // The time shown is the platform's last success (the first sync), not the other sources' newer one.
    const oldest = streams.map((s) => s.lastSuccessAt!).sort()[0]
    expect(oldest < status.value.lastSuccessAt!).toBe(true)
    await expect.poll(() => e.page.getByTestId('last-synced').getAttribute('data-at')).toBe(oldest)
    await badge.hover()
    const tip = e.page.getByTestId('sync-errors-tip')
    await tip.waitFor()
    for (const s of failed) await expect(tip.locator(`[data-stream="${s}"]`).count()).resolves.toBe(1)
    await expect(tip.textContent()).resolves.toContain('Clients')
    await e.page.waitForTimeout(400)
    await e.page.screenshot({ path: path.join(ARTIFACTS, '63-topbar-failed-en.png'), clip: { x: 0, y: 0, width: 1280, height: 260 } })
    await e.page.mouse.move(640, 700)

    // A top-up now: stored, not confirmed; the toast says so.
    const topUps = serverTopUps().length
    const outbox = outboxCount()
    await typeAmount('topup-amount', '25')
    await e.page.getByTestId('topup-save').click()
    await e.page.getByTestId('confirm-ok').click()
    await expect.poll(() => outboxCount()).toBe(outbox + 1)
    const id = lastOutboxId()
    const toast = e.page.locator(`[data-testid=write-feedback][data-id="${id}"]`)
    await expect.poll(() => toast.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('queued')
    await expect(toast.textContent()).resolves.toMatch(/^Top-up of .*25\.00.* queued: it will be sent when the platform is reachable$/)
    await expect(e.page.locator('.n-message').filter({ hasText: /applied|sent to the platform/ }).count()).resolves.toBe(0)
    // Still in the outbox once the attempts give up, with the reason.
    const listed = e.page.locator(`[data-testid=outbox-item][data-id="${id}"]`)
    await expect.poll(() => listed.getAttribute('data-state'), { timeout: 15_000 }).toBe('pending')
    await expect.poll(() => listed.getByTestId('outbox-reason').count(), { timeout: 15_000 }).toBe(1)
    await expect(toast.getAttribute('data-outcome')).resolves.toBe('queued')
    expect(serverTopUps().length).toBe(topUps)
    await e.page.screenshot({ path: path.join(ARTIFACTS, '64-money-queued-en.png') })

    // The same top bar in Russian.
    await e.page.getByTestId('lang-ru').click()
    await expect.poll(async () => spaces(await badge.textContent())).toContain(`Не синхронизировано: 4 из ${streams.length}`)
    await badge.hover()
    await tip.waitFor()
    await expect(tip.textContent()).resolves.toContain('Клиенты')
    await e.page.waitForTimeout(400)
    await e.page.screenshot({ path: path.join(ARTIFACTS, '65-topbar-failed-ru.png'), clip: { x: 0, y: 0, width: 1280, height: 260 } })
    await e.page.mouse.move(640, 700)
    await e.page.getByTestId('lang-en').click()

    // The platform is back: the write is applied, and only now the toast says so.
    await e.backend.dispatch('settings.save', { connections: { platform: { url: e.server.url } } })
    await e.backend.dispatch('outbox.flush', {})
    await expect.poll(() => serverTopUps().length, { timeout: 30_000 }).toBe(topUps + 1)
    expect(serverTopUps().at(-1)).toBe('25.00')
    await expect.poll(() => toast.getAttribute('data-outcome'), { timeout: 15_000 }).toBe('applied')

    // And a sync that reaches every source clears the badge.
    await e.page.getByTestId('sync-button').click()
    await badge.waitFor({ state: 'detached', timeout: 60_000 })
  })
})

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}
