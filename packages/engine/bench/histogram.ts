/**
 * Latency histogram: 1 ns buckets up to 64 µs, then a log2 tail. Recording is an array increment,
 * so it does not dominate the sub-microsecond commands it measures.
 */
export class Histogram {
  private readonly fine = new Float64Array(65_536);
  private readonly tail = new Float64Array(64);
  count = 0;

  record(ns: number): void {
    const v = ns < 0 ? 0 : Math.round(ns);
    if (v < 65_536) this.fine[v]++;
    else this.tail[Math.min(63, Math.floor(Math.log2(v)))]++;
    this.count++;
  }

  percentile(p: number): number {
    const target = Math.ceil(this.count * p);
    let seen = 0;
    for (let i = 0; i < this.fine.length; i++) {
      seen += this.fine[i];
      if (seen >= target) return i;
    }
    for (let i = 0; i < this.tail.length; i++) {
      seen += this.tail[i];
      if (seen >= target) return 2 ** (i + 1);
    }
    return Number.POSITIVE_INFINITY;
  }
}
