import { describe, expect, it } from 'vitest';
import { orderByWorklist, type WorklistStanding, worklistGroup } from './worklist-order.ts';

const s = (status: WorklistStanding['status'], score: number | null, suspect = false): WorklistStanding => ({ status, score, suspect });

describe('worklist order', () => {
  it('puts suspect inputs after every trusted score, however high their own score', () => {
    const items = [
      { name: 'clean-low', ...s('ok', -0.6) },
      { name: 'extremity', ...s('ok', 0.33, true) },
      { name: 'pending', ...s('pending', null) },
      { name: 'broken', ...s('error', null) },
      { name: 'flagged', ...s('ok', 0.12) },
      { name: 'clean-high', ...s('ok', -0.1) },
      { name: 'lateral', ...s('ok', 0.9, true) },
    ];
    expect(orderByWorklist(items, (i) => i).map((i) => i.name)).toEqual([
      'flagged',
      'clean-high',
      'clean-low',
      'extremity',
      'lateral',
      'broken',
      'pending',
    ]);
  });

  it('names the groups', () => {
    expect(worklistGroup(s('ok', 0.5, true))).toBe('check-input');
    expect(worklistGroup(s('ok', null))).toBe('error');
    expect(worklistGroup(s('ok', -1))).toBe('scored');
  });
});
