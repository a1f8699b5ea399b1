/**
 * Statistics folded per batch: the sync writes thousands of messages per page, and adding
 * each one to four aggregate tables from a trigger cost more than writing the message itself.
 * The batch writer (src/backend/stats/batch.ts) now sums a page's changes in memory and adds
 * them to the aggregates once per key, in the same transaction as the rows.
 *
 * stats_writer.batched is 1 only inside such a write (it sets and resets it inside one
 * transaction, also when a row fails, so no other connection ever sees it set); while it is 1 the insert
 * and update triggers of 0004 stand aside. Every other write to messages (a delete, an edit
 * by hand, a future code path) still goes through the triggers, so the sums stay exact for
 * every write whatever wrote it.
 *
 * This migration is released: never edit it, add a new one (its SQL is pinned by
 * tests/unit/migrations.test.ts).
 */
import { messagesTriggers } from './0004_stats'

export const name = 'stats_batches'

export const sql = [
  `CREATE TABLE stats_writer (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  batched INTEGER NOT NULL CHECK (batched IN (0, 1))
) STRICT;`,
  'INSERT INTO stats_writer (id, batched) VALUES (1, 0);',
  'DROP TRIGGER stats_messages_ai;',
  'DROP TRIGGER stats_messages_ad;',
  'DROP TRIGGER stats_messages_au_sums;',
  'DROP TRIGGER stats_messages_au_keys;',
  ...messagesTriggers(' AND (SELECT batched FROM stats_writer) = 0')
].join('\n\n')
