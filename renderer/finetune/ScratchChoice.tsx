import type { DenseNetFamily } from '../../app/common/contract/create-model.ts';
import type { FinetuneForm } from './finetune-state.ts';

/** Train a new DenseNet of the paper's family from scratch instead of adapting the active model: family, depth, growth, input size. */
export function ScratchChoice({ form, set }: { form: FinetuneForm; set(change: Partial<FinetuneForm>): void }) {
  return (
    <div className="stack" data-testid="ft-scratch-block">
      <div className="inline-fields">
        <label className="check">
          <input type="checkbox" checked={form.scratch} onChange={(e) => set({ scratch: e.target.checked })} data-testid="ft-scratch" />{' '}
          Train a new network from scratch instead: a DenseNet of the paper's family, every layer learned from these images (no pretrained
          weights needed)
        </label>
      </div>
      {form.scratch && (
        <div className="inline-fields">
          <label>
            Family{' '}
            <select
              value={form.scratchArch}
              onChange={(e) => set({ scratchArch: e.target.value as DenseNetFamily })}
              data-testid="ft-scratch-arch"
            >
              <option value="densenet-bc">DenseNet-BC (bottleneck, compression)</option>
              <option value="densenet-b">DenseNet-B (bottleneck)</option>
              <option value="densenet-c">DenseNet-C (compression)</option>
              <option value="densenet">DenseNet (plain)</option>
            </select>
          </label>
          <label title="Three equal dense blocks; L = 3·n·(2 with a bottleneck, else 1) + 4, e.g. 100 for DenseNet-BC, 40 for DenseNet">
            Depth L{' '}
            <input
              type="number"
              min={7}
              max={1000}
              value={form.scratchDepth}
              onChange={(e) => set({ scratchDepth: Math.round(Number(e.target.value)) })}
              data-testid="ft-scratch-depth"
            />
          </label>
          <label>
            Growth k{' '}
            <input
              type="number"
              min={1}
              max={256}
              value={form.scratchGrowth}
              onChange={(e) => set({ scratchGrowth: Math.round(Number(e.target.value)) })}
              data-testid="ft-scratch-growth"
            />
          </label>
          <label>
            Input{' '}
            <select value={form.scratchSize} onChange={(e) => set({ scratchSize: Number(e.target.value) })} data-testid="ft-scratch-size">
              <option value={64}>64 px</option>
              <option value={128}>128 px</option>
              <option value={224}>224 px</option>
            </select>
          </label>
        </div>
      )}
    </div>
  );
}
