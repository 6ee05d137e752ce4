import { useEffect } from 'react';
import { DICOM_NODE_ARRIVAL_CHANNEL, type NodeArrival } from '../../app/common/contract/dicom-node.ts';
import { call, onEvent } from '../api.ts';

/**
 * Studies the DICOM node stored and triaged (received by C-STORE or pulled from a PACS), delivered
 * to the worklist as they arrive, each with its result. The event is small; the study and its
 * result (pixels, heatmaps) come with one API call.
 */
export function useNodeArrivals(onArrival: (arrival: NodeArrival) => void): void {
  useEffect(
    () =>
      onEvent(DICOM_NODE_ARRIVAL_CHANNEL, ({ id }) => {
        call('dicomNode.arrival', { id })
          .then(onArrival)
          .catch(() => undefined); // gone from the back end's memory (a restart): it is still in the store and the log
      }),
    [onArrival],
  );
}
