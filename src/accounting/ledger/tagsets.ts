/** Interning of tag maps: each distinct map is stored once and rows refer to it by id. */
import type { SqliteDatabase, SqliteStatement } from "./sqlite-driver.js";

/** The canonical text of a tag map: JSON of its entries sorted by key. */
export function canonicalTags(tags: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(tags).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Most tag sets kept in memory; older ones are looked up in the table again (bounded memory under any tags). */
const CACHE_LIMIT = 10_000;

/** Tag set ids of one connection, cached (LRU-bounded). Call only inside a write transaction. */
export class TagSets {
  readonly #find: SqliteStatement;
  readonly #insertSet: SqliteStatement;
  readonly #insertTag: SqliteStatement;
  readonly #cache = new Map<string, number>();

  constructor(db: SqliteDatabase) {
    this.#find = db.prepare("SELECT id FROM tagsets WHERE tags = ?").pluck();
    this.#insertSet = db.prepare("INSERT INTO tagsets (tags) VALUES (?)");
    this.#insertTag = db.prepare("INSERT INTO tagset_tags (tagset_id, key, value) VALUES (?, ?, ?)");
  }

  /** The id of a tag map, stored on first use. */
  idOf(tags: Readonly<Record<string, string>>): number {
    const text = canonicalTags(tags);
    const cached = this.#cache.get(text);
    if (cached !== undefined) {
      // Refresh its place: a Map iterates in insertion order, so the first key is the least recently used.
      this.#cache.delete(text);
      this.#cache.set(text, cached);
      return cached;
    }
    const found = this.#find.get([text]);
    let id: number;
    if (typeof found === "number") id = found;
    else {
      id = Number(this.#insertSet.run([text]).lastInsertRowid);
      for (const [key, value] of Object.entries(tags)) this.#insertTag.run([id, key, value]);
    }
    this.#cache.set(text, id);
    if (this.#cache.size > CACHE_LIMIT) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return id;
  }

  /** Forgets cached ids: after a rolled-back transaction, ids it created do not exist. */
  forget(): void {
    this.#cache.clear();
  }
}
