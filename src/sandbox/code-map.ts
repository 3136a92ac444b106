/**
 * A map keyed by entity code, looked up case-insensitively (Akeneo resolves codes that way in
 * URLs and references) while keeping the stored code's own case and insertion order.
 */
export class CodeMap<T> {
  private readonly byLower = new Map<string, T>();

  get size(): number {
    return this.byLower.size;
  }

  get(code: string): T | undefined {
    return this.byLower.get(code.toLowerCase());
  }

  has(code: string): boolean {
    return this.byLower.has(code.toLowerCase());
  }

  set(code: string, value: T): void {
    this.byLower.set(code.toLowerCase(), value);
  }

  delete(code: string): boolean {
    return this.byLower.delete(code.toLowerCase());
  }

  clear(): void {
    this.byLower.clear();
  }

  values(): T[] {
    return [...this.byLower.values()];
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.byLower.values();
  }
}
