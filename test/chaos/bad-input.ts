export async function runBadInput(_dir: string): Promise<{ summary: { kinds: number }; failures: string[] }> {
  return { summary: { kinds: 0 }, failures: ['bad-input corpus: not written yet'] };
}
