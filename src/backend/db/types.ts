/**
 * The handle of the local store every query module is given. A leaf: the modules that
 * db/connection.ts itself uses (integrity, syncLock, syncState) import it from here.
 */
import type Database from 'better-sqlite3'

export type Db = Database.Database
