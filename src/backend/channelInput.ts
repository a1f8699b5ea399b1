/** A channel's input checked against its contract schema, or the invalid_input envelope. */
import { contract, type ChannelName } from '../shared/contract'
import type { Envelope } from '../shared/errors'

export function validateInput(channel: ChannelName, input: unknown): { ok: true; value: unknown } | Envelope<never> {
  const parsed = contract[channel].input.safeParse(input ?? {})
  if (parsed.success) return { ok: true, value: parsed.data }
  const issue = parsed.error.issues[0]
  return {
    ok: false,
    error: {
      code: 'invalid_input',
      message: `${issue.path.join('.') || 'input'}: ${issue.message}`,
      params: { field: issue.path.join('.') }
    }
  }
}
