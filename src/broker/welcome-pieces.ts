// The welcome frame, encoded a piece at a time so it can go out at the client's pace. The view
// holds references to the state's enquiries as of the welcome's seq, not copies and not their
// encoding: the reducer replaces an enquiry whenever it changes and never edits one in place
// (src/domain/reducer.ts), so the references still read as they were at that seq however long the
// client takes. A socket waiting on its welcome therefore holds a few bytes per open enquiry and
// one piece, where the whole encoded snapshot (about 500 bytes an enquiry) used to wait in its buffer.
import type { AgentState, Enquiry, State } from '../domain/enquiry.js';
import type { ServerFrame } from '../protocol/frames.js';
import { SUMMARY_COLUMNS, inSnapshot, snapshotEntry, summaryRow } from '../protocol/snapshot.js';

type WelcomeHead = Omit<Extract<ServerFrame, { type: 'welcome' }>, 'snapshot'>;

export interface WelcomeView {
  head: WelcomeHead;
  enquiries: Enquiry[];
  agents: AgentState[];
  /** Summaries as rows (`?snapshot=rows`), their times counted back from `at`. */
  rows: { at: number } | null;
}

export function captureWelcome(state: State, head: WelcomeHead, rows: boolean): WelcomeView {
  return { head, enquiries: [...state.enquiries.values()], agents: [...state.agents.values()], rows: rows ? { at: Date.now() } : null };
}

/**
 * The welcome's JSON in pieces of about `pieceChars` characters; `fin` marks the last. Joined, the
 * pieces are exactly `JSON.stringify` of the welcome with `snapshotFor`'s snapshot.
 */
export function* welcomePieces(view: WelcomeView, pieceChars: number): Generator<{ text: string; fin: boolean }> {
  if (view.rows) return yield* compactPieces(view, view.rows.at, pieceChars);
  const head = JSON.stringify(view.head);
  let piece = `${head.slice(0, -1)},"snapshot":{"enquiries":[`;
  let first = true;
  for (const e of view.enquiries) {
    const entry = snapshotEntry(e, view.head.agent.name);
    if (!entry) continue;
    piece += first ? JSON.stringify(entry) : `,${JSON.stringify(entry)}`;
    first = false;
    if (piece.length >= pieceChars) {
      yield { text: piece, fin: false };
      piece = '';
    }
  }
  yield { text: `${piece}],"agents":${JSON.stringify(view.agents)}}}`, fin: true };
}

/** The same welcome with the summaries as one table (snapshot.ts); held enquiries still go whole. */
function* compactPieces(view: WelcomeView, at: number, pieceChars: number): Generator<{ text: string; fin: boolean }> {
  const me = view.head.agent.name;
  const held: Enquiry[] = [];
  let piece = `${JSON.stringify(view.head).slice(0, -1)},"snapshot":{"summaries":{"at":${at},"columns":${JSON.stringify(SUMMARY_COLUMNS)},"rows":[`;
  let first = true;
  for (const e of view.enquiries) {
    if (!inSnapshot(e)) continue;
    if (e.claimedBy === me) {
      held.push(e);
      continue;
    }
    piece += first ? JSON.stringify(summaryRow(e, at)) : `,${JSON.stringify(summaryRow(e, at))}`;
    first = false;
    if (piece.length >= pieceChars) {
      yield { text: piece, fin: false };
      piece = '';
    }
  }
  piece += ']},"enquiries":[';
  for (let i = 0; i < held.length; i++) {
    piece += i === 0 ? JSON.stringify(held[i]) : `,${JSON.stringify(held[i])}`;
    if (piece.length >= pieceChars) {
      yield { text: piece, fin: false };
      piece = '';
    }
  }
  yield { text: `${piece}],"agents":${JSON.stringify(view.agents)}}}`, fin: true };
}
