// Bounded memory for idempotency keys and the like: an insertion-ordered Map trimmed to its newest
// entries. Deleting the single oldest entry on every insert looks O(1) but is not in V8: each new
// iterator steps over every deleted slot until the table is rebuilt, so a million-event replay
// took tens of seconds. Trimming a tenth at a time by copying keeps inserts O(1) amortised.
export function keepNewest<K, V>(map: Map<K, V>, limit: number): Map<K, V> {
  if (map.size <= limit + Math.ceil(limit / 10)) return map;
  return new Map([...map].slice(map.size - limit));
}
