/**
 * Quarantined records carry the key they are kept under (`id:<n>`, `sid:<n>`, a gap's key), so
 * a later read that repairs one clears it, and the same damage is never stored twice.
 */
export const name = 'reject_keys'

export const sql = `
ALTER TABLE sync_rejects ADD COLUMN record_key TEXT;
CREATE UNIQUE INDEX sync_rejects_record_key ON sync_rejects(stream, record_key) WHERE record_key IS NOT NULL;
`
