/** Rules shared by the contract (backend) and the forms (renderer), so both say the same. */

/** A connection URL: empty, or http(s) without credentials, at most 2048 characters. */
export function isConnectionUrl(value: string): boolean {
  const s = value.trim()
  if (s === '') return true
  if (s.length > 2048) return false
  try {
    const u = new URL(s)
    return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password
  } catch {
    return false
  }
}

/** A token: printable ASCII without spaces, at most 4096 characters. */
export function isToken(value: string): boolean {
  return value.length <= 4096 && /^[\x21-\x7e]*$/.test(value)
}
