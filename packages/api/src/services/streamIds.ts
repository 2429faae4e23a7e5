/** Compares Redis stream ids ("<ms>-<seq>"). */
export function compareStreamIds(a: string, b: string): number {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
}

/** The stream id just before `id`, so a read "after" it starts with the entry `id` itself. */
export function previousStreamId(id: string): string {
  const [ms = "0", seq = "0"] = id.split("-");
  return Number(seq) > 0 ? `${ms}-${Number(seq) - 1}` : `${Number(ms) - 1}-18446744073709551615`;
}
