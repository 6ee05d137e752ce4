import { type Dispatch, useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { ApiResponse } from '../../app/common/contract/api.ts';
import type { FinetuneEvent } from '../../app/common/contract/finetune.ts';
import { ApiError, call, onEvent } from '../api.ts';
import { asErrorInfo } from '../shell/errors.ts';
import type { FinetuneSession } from './finetune-session.ts';
import {
  type FinetuneAction,
  type FinetuneState,
  datasetRequest,
  finetuneReducer,
  finetuneRequest,
  initialFinetuneState,
  type Live,
  applyWithSteps,
} from './finetune-state.ts';

export interface Finetune {
  state: FinetuneState;
  dispatch: Dispatch<FinetuneAction>;
  inspect(): Promise<void>;
  findLr(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  resume(): Promise<void>;
  /** Whether a model descends (directly or through fine-tunes) from the untrained demo. */
  fromDemo(id: string | undefined): boolean;
}

/** The Fine-tune screen's state and its calls to the back end; the job's events arrive here too. */
export function useFinetune(
  session: FinetuneSession | undefined,
  onSession: (session: FinetuneSession | undefined) => void,
  about: ApiResponse<'app.about'> | undefined,
): Finetune {
  const [state, dispatch] = useReducer(finetuneReducer, initialFinetuneState);
  const stateRef = useRef(state);
  stateRef.current = state;

  // Events may arrive before finetune.start answers: keep them until the job id is known.
  const jobRef = useRef<string | undefined>(session?.jobId);
  const early = useRef<FinetuneEvent[]>([]);
  useEffect(
    () =>
      onEvent('finetune.progress', (e) => {
        if (e.jobId === jobRef.current) dispatch({ type: 'event', event: e });
        else if (jobRef.current === undefined && early.current.length < 1000) early.current.push(e);
      }),
    [],
  );

  // Reopened while (or after) a job ran: its history and outcome from the back end.
  const sessionJob = session?.jobId;
  useEffect(() => {
    if (!sessionJob || stateRef.current.live) return;
    call('finetune.status', { jobId: sessionJob })
      .then((s) =>
        dispatch({
          type: 'live',
          live: {
            jobId: s.jobId,
            state: s.state,
            stopping: false,
            steps: [],
            history: s.history,
            ...(s.result ? { result: s.result, bestEpoch: s.result.bestEpoch } : {}),
            ...(s.error ? { error: s.error } : {}),
          },
        }),
      )
      .catch(() => onSession(undefined));
  }, [sessionJob, onSession]);

  const inspect = async (): Promise<void> => {
    dispatch({ type: 'inspecting' });
    try {
      dispatch({ type: 'inspected', summary: await call('finetune.inspect', datasetRequest(stateRef.current.form)) });
    } catch (e) {
      dispatch({ type: 'inspectFailed', error: asErrorInfo(e) });
    }
  };

  const findLr = async (): Promise<void> => {
    dispatch({ type: 'lrRunning' });
    try {
      dispatch({ type: 'lrDone', lr: await call('finetune.findLr', finetuneRequest(stateRef.current.form)) });
    } catch (e) {
      dispatch({ type: 'lrFailed', error: asErrorInfo(e) });
    }
  };

  const start = async (): Promise<void> => {
    dispatch({ type: 'starting' });
    try {
      jobRef.current = undefined;
      early.current = [];
      const form = stateRef.current.form;
      const { jobId } = await call('finetune.start', finetuneRequest(form, form.scratch ? await createFromScratch() : undefined));
      jobRef.current = jobId;
      const initial: Live = { jobId, state: 'running', stopping: false, steps: [], history: [] };
      dispatch({ type: 'started', live: early.current.filter((e) => e.jobId === jobId).reduce(applyWithSteps, initial) });
      early.current = [];
      onSession({ jobId });
    } catch (e) {
      dispatch({ type: 'startFailed', error: asErrorInfo(e) });
    }
  };

  /** A new, untrained network whose outputs are the dataset's labels; training then starts from it. */
  const createFromScratch = async (): Promise<string> => {
    const { form, summary } = stateRef.current;
    const outputs = summary?.labels ?? datasetRequest(form).labels;
    if (!outputs || outputs.length === 0)
      throw new ApiError({ code: 'INVALID_ARGUMENT', message: "Check the data first: the new network's outputs are its labels." });
    const created = await call('models.create', {
      arch: form.scratchArch,
      depth: form.scratchDepth,
      growthRate: form.scratchGrowth,
      labels: outputs,
      inputSize: form.scratchSize,
      ...(form.name.trim() ? { name: `${form.name.trim()} (untrained start)` } : {}),
    });
    return created.manifest.id;
  };

  const stop = async (): Promise<void> => {
    const live = stateRef.current.live;
    if (!live) return;
    dispatch({ type: 'stopping' });
    try {
      await call('finetune.cancel', { jobId: live.jobId });
    } catch (e) {
      dispatch({ type: 'jobError', error: asErrorInfo(e) });
    }
  };

  const resume = async (): Promise<void> => {
    const live = stateRef.current.live;
    if (!live) return;
    try {
      jobRef.current = live.jobId;
      await call('finetune.resume', { jobId: live.jobId });
      dispatch({ type: 'resumed' });
    } catch (e) {
      dispatch({ type: 'jobError', error: asErrorInfo(e) });
    }
  };

  // Fine-tuned from the untrained demo (directly or through another fine-tune): nothing clinical in it.
  const [installed, setInstalled] = useState<ApiResponse<'models.list'>>([]);
  const activeId = about?.activeModel.id;
  useEffect(() => {
    void activeId; // listed again when the active model changes (a fine-tune may have installed and activated one)
    call('models.list', {})
      .then(setInstalled)
      .catch(() => undefined);
  }, [activeId]);
  const fromDemo = useCallback(
    (id: string | undefined): boolean => {
      const byId = new Map(installed.map((m) => [m.manifest.id, m.manifest]));
      for (let m = id ? byId.get(id) : undefined, hops = 0; m && hops < 50; m = m.parent ? byId.get(m.parent) : undefined, hops++) {
        if (m.demo) return true;
        // Trained whole (full mode) from an untrained start: everything it knows came from its data.
        if (m.training?.mode === 'full') return false;
      }
      return false;
    },
    [installed],
  );

  return { state, dispatch, inspect, findLr, start, stop, resume, fromDemo };
}
