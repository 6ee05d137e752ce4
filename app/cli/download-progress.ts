import type { FetchProgress } from '../common/contract/catalogue.ts';

const MB = 1024 * 1024;

/** One terminal line for a download: bar, MB done/total, rate, ETA. Pure, so it is tested without a terminal. */
export function downloadProgressLine(p: FetchProgress, elapsedMs: number, startBytes = 0, width = 28): string {
  const fraction = p.totalBytes ? Math.min(1, p.receivedBytes / p.totalBytes) : 0;
  const filled = Math.round(fraction * width);
  const bar = p.totalBytes ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]` : `[${'?'.repeat(width)}]`;
  const seconds = Math.max(0.001, elapsedMs / 1000);
  const rate = (p.receivedBytes - startBytes) / seconds;
  const size = `${(p.receivedBytes / MB).toFixed(1)}${p.totalBytes ? `/${(p.totalBytes / MB).toFixed(1)}` : ''} MB`;
  const eta = p.totalBytes && rate > 0 ? ` ETA ${Math.ceil((p.totalBytes - p.receivedBytes) / rate)}s` : '';
  return `${p.name} ${bar} ${size} ${(rate / MB).toFixed(1)} MB/s${eta}`;
}
