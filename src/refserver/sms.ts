/**
 * How many SMS parts a text takes. GSM 03.38 (7-bit) when every character is in the default
 * alphabet or its extension table (an extension character — € ^ { } [ ] ~ | \ and form feed —
 * is an escape plus the character, two septets); otherwise UCS-2, counted in UTF-16 code units
 * (an emoji outside the BMP is a surrogate pair, two units).
 *
 * Single message: 160 septets / 70 units. Concatenated: each part loses room to the UDH, leaving
 * 153 septets / 67 units, and a part never splits an escape sequence or a surrogate pair, so a
 * character that does not fit whole starts the next part.
 */

export type SmsEncodingName = 'GSM-7' | 'UCS-2'

export interface SmsSize {
  encoding: SmsEncodingName
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number
  parts: number
}

export const GSM_SINGLE = 160
export const GSM_MULTI = 153
export const UCS2_SINGLE = 70
export const UCS2_MULTI = 67

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà'
const GSM_EXTENSION = '\f^{}\\[~]|€'

/** 0: not in GSM 03.38, 1: default alphabet, 2: extension table. Indexed by UTF-16 code unit. */
const GSM_TABLE = (() => {
  const table = new Uint8Array(0x20ad)
  for (const ch of GSM_BASIC) table[ch.charCodeAt(0)] = 1
  for (const ch of GSM_EXTENSION) table[ch.charCodeAt(0)] = 2
  return table
})()

/** Septets per character, or 0 if the character is not in GSM 03.38. */
export function gsmSeptets(code: number): number {
  return code < GSM_TABLE.length ? GSM_TABLE[code] : 0
}

export function isGsm7(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (gsmSeptets(text.charCodeAt(i)) === 0) return false
  return true
}

export function smsParts(text: string): SmsSize {
  let septets = 0
  let gsm = true
  for (let i = 0; i < text.length; i++) {
    const w = gsmSeptets(text.charCodeAt(i))
    if (w === 0) {
      gsm = false
      break
    }
    septets += w
  }
  if (gsm) {
    if (septets <= GSM_SINGLE) return { encoding: 'GSM-7', units: septets, parts: 1 }
    let parts = 1
    let used = 0
    for (let i = 0; i < text.length; i++) {
      const w = GSM_TABLE[text.charCodeAt(i)]
      if (used + w > GSM_MULTI) {
        parts++
        used = w
      } else used += w
    }
    return { encoding: 'GSM-7', units: septets, parts }
  }
  const units = text.length
  if (units <= UCS2_SINGLE) return { encoding: 'UCS-2', units, parts: 1 }
  let parts = 1
  let used = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    let w = 1
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        w = 2
        i++
      }
    }
    if (used + w > UCS2_MULTI) {
      parts++
      used = w
    } else used += w
  }
  return { encoding: 'UCS-2', units, parts }
}

/** Parts billed for a message on a channel: voice calls and Viber messages are one part. */
export function channelParts(channel: string, text: string): number {
  return channel === 'sms' ? smsParts(text).parts : 1
}
