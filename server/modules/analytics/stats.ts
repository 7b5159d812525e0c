// Medians and percentiles of durations, by linear interpolation between the closest ranks (the
// median of an even count is the mean of the two middle values), in seconds.

export function quantile(sorted: ArrayLike<number>, q: number): number | null {
  if (sorted.length === 0) return null;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const seconds = (ms: number | null) => (ms === null ? null : Math.round(ms) / 1000);

export interface DurationStats {
  count: number;
  wallClock: { median: number | null; p90: number | null };
  workingHours: { median: number | null; p90: number | null };
}

/** Durations collected as [wall-clock ms, working ms] pairs. */
export class Durations {
  private readonly wall: number[] = [];
  private readonly work: number[] = [];

  add(wallMs: number, workMs: number): void {
    this.wall.push(wallMs);
    this.work.push(workMs);
  }

  get count(): number {
    return this.wall.length;
  }

  stats(): DurationStats {
    // Typed arrays sort numerically without a comparator call per comparison (several times faster).
    const wall = Float64Array.from(this.wall).sort();
    const work = Float64Array.from(this.work).sort();
    return {
      count: wall.length,
      wallClock: { median: seconds(quantile(wall, 0.5)), p90: seconds(quantile(wall, 0.9)) },
      workingHours: { median: seconds(quantile(work, 0.5)), p90: seconds(quantile(work, 0.9)) },
    };
  }
}
