/**
 * A map keyed by objects (promises) that holds its keys strongly only while they are young. Most
 * entries of the recorder's promise maps are deleted within milliseconds (the promise resumes its
 * function or settles), and plain Maps cost the garbage collector far less than a WeakMap of
 * hundreds of thousands of promises (ephemerons). But a promise that never settles must not be kept
 * alive by the recorder: its reactions hold the variables of the functions awaiting it, which the
 * script would otherwise lose with it. So each {@link age} moves the entries that were already there
 * at the previous one into a WeakMap: an entry is held strongly for at most two ages.
 */
export class AgingMap<K extends object, V> {
  private young = new Map<K, V>();
  private older = new Map<K, V>();
  private readonly old = new WeakMap<K, V>();
  /** Entries moved into `old` and not deleted since (collected ones are never counted off). */
  private oldCount = 0;

  /** @param maxYoung entries of the young generation after which it ages at once (bounded memory). */
  constructor(private readonly maxYoung: number) {}

  /** Zero only when the map is surely empty. */
  get size(): number {
    return this.young.size + this.older.size + this.oldCount;
  }

  get(key: K): V | undefined {
    const v = this.young.get(key);
    if (v !== undefined) return v;
    if (this.older.size > 0) {
      const o = this.older.get(key);
      if (o !== undefined) return o;
    }
    return this.oldCount > 0 ? this.old.get(key) : undefined;
  }

  /** Values are never `undefined`, so this is `get(key) !== undefined`. */
  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): void {
    if (this.young.size >= this.maxYoung) this.age();
    this.young.set(key, value);
  }

  delete(key: K): void {
    this.young.delete(key);
    if (this.older.size > 0) this.older.delete(key);
    if (this.oldCount > 0 && this.old.delete(key)) this.oldCount--;
  }

  /** The older generation goes to the WeakMap, the young one becomes the older. */
  age(): void {
    const older = this.older;
    for (const [k, v] of older) this.old.set(k, v);
    this.oldCount += older.size;
    older.clear();
    this.older = this.young;
    this.young = older;
  }
}
