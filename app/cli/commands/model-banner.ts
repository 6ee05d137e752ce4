import type { ModelInfo } from '../../common/contract/classify.ts';

/** What every command that runs a model prints first: which model, which weights, which backend, and what it is not. */
export function modelBanner(m: ModelInfo): string {
  const demo = m.demo ? '  ** UNTRAINED DEMO — for trying the app only; these numbers mean nothing **\n' : '';
  return `model ${m.id} ${m.version} (${m.arch}, weights ${m.sha256.slice(0, 12)}, ${m.backendDetail})\n${demo}DenseRay is not a medical device.\n\n`;
}
