import type { DicomPeer } from '../../../common/contract/dicom-node.ts';
import { parsePeer } from '../../domain/dicom-net/ae-title.ts';
import type { NodeEvent } from './dicom-node-service.ts';

export { howItRan } from '../../domain/dicom-net/how-it-ran.ts';

/** `AET@host:port` as a peer, or undefined when it is not one. */
export function parsePeerArgument(text: string): DicomPeer | undefined {
  return parsePeer(text);
}

/**
 * A node event as one line for a person and as a JSON object for a script (`denseray listen
 * --json`). The JSON carries identifiers and outcomes, never the image.
 */
export function describeNodeEvent(event: NodeEvent): { text: string; json: Record<string, unknown> } {
  switch (event.kind) {
    case 'listening':
      return {
        text: `listening as ${event.aeTitle} on port ${event.port}`,
        json: { event: 'listening', aeTitle: event.aeTitle, port: event.port },
      };
    case 'association':
      return {
        text: `association ${event.outcome} ${event.outcome === 'accepted' ? 'from' : 'with'} ${event.peer}${event.message ? `: ${event.message}` : ''}`,
        json: { event: 'association', outcome: event.outcome, peer: event.peer, ...(event.message ? { message: event.message } : {}) },
      };
    case 'echo':
      return { text: `C-ECHO from ${event.peer}`, json: { event: 'echo', peer: event.peer } };
    case 'received':
      return {
        text: `received ${event.sopInstanceUid} from ${event.peer}: ${event.outcome}${event.message ? ` (${event.message})` : ''}`,
        json: {
          event: 'received',
          outcome: event.outcome,
          peer: event.peer,
          sopInstanceUid: event.sopInstanceUid,
          ...(event.message ? { message: event.message } : {}),
        },
      };
    case 'triaged': {
      const o = event.outcome;
      const sop = event.instance.sop_instance_uid;
      if (o.state === 'triaged') {
        const flagged = o.flagged.length > 0 ? `at or above threshold: ${o.flagged.join(', ')}` : 'nothing at or above threshold';
        return {
          text: `triaged ${sop}: score ${o.triageScore.toFixed(3)}, ${flagged} (${event.model.id}, ${event.model.sha256.slice(0, 12)})`,
          json: {
            event: 'triaged',
            state: o.state,
            sopInstanceUid: sop,
            triageScore: o.triageScore,
            flagged: o.flagged,
            probabilities: o.probabilities,
            model: { id: event.model.id, sha256: event.model.sha256 },
            ...(event.result.ok ? { timingsMs: event.result.prediction.timingsMs } : {}),
          },
        };
      }
      return {
        text: `${o.state === 'refused' ? 'not assessed' : 'failed'} ${sop}: ${o.code}: ${o.message}`,
        json: { event: 'triaged', state: o.state, sopInstanceUid: sop, code: o.code, message: o.message },
      };
    }
    case 'delivery': {
      const { entry, outcome, nextAttemptAt } = event;
      const to = entry.destination.replace(/^(dimse|stow):/, '');
      const json = {
        event: 'delivery',
        result: outcome.result,
        kind: entry.kind,
        sopInstanceUid: entry.sop_instance_uid,
        sourceSopInstanceUid: entry.source_sop_instance_uid,
        destination: to,
        message: outcome.message,
        ...(nextAttemptAt ? { nextAttemptAt: new Date(nextAttemptAt).toISOString() } : {}),
      };
      if (outcome.result === 'stored') return { text: `sent ${entry.kind} ${entry.sop_instance_uid} to ${to}`, json };
      if (outcome.result === 'refused') return { text: `${to} refused ${entry.kind} ${entry.sop_instance_uid}: ${outcome.message}`, json };
      return {
        text: `could not send ${entry.kind} ${entry.sop_instance_uid} to ${to}: ${outcome.message}; kept, next attempt ${nextAttemptAt ? new Date(nextAttemptAt).toLocaleTimeString() : 'later'}`,
        json,
      };
    }
    case 'problem':
      return { text: `problem: ${event.problem.code}: ${event.problem.message}`, json: { event: 'problem', ...event.problem } };
  }
}
