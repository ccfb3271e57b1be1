// `e`: escalate to a court by email, over the whole frame. The reducer (escalate.ts) returns
// effects; this module carries them out through the host and hands the broker's answers back as
// events, dropped when they answer a dialog closed since.
import { Box } from 'ink';
import { courtBacklog } from '../../domain/escalations.js';
import type { CommandOutcome } from '../../client/types.js';
import { Field } from '../components/dialog-parts.js';
import { Line } from '../components/line.js';
import { usedCourts } from '../escalation-threads.js';
import { heldOrSupervisor, type Binding } from '../keys/context.js';
import type { DialogHost, DialogSpec } from './dialog.js';
import { escalateEvent, escalateKey, escalateStart } from './escalate.js';
import { ESCALATE_KEYS } from './escalate-keys.js';
import type { CourtChoice, EscalateAction, EscalateDialog, EscalateEffect, EscalateEvent, EscalateResult } from './escalate-types.js';
import { escalateScreen, previewWindow } from './escalate-view.js';

/** Waits this long after the last key before searching the court directory, so typing a name asks once. */
const COURT_SEARCH_DELAY_MS = 120;
const COURT_TIMER = 'court-search';

let opened = 0;

export const escalateDialog: DialogSpec<EscalateDialog, EscalateAction> = {
  kind: 'escalate',
  ...ESCALATE_KEYS,
  step(host, s, a) {
    if (a.type === 'close') return apply(host, s.id, { state: s.flow, effects: [], close: 'cancelled' });
    const view = previewWindow(s.flow, host.viewport.columns, host.viewport.rows - 1);
    apply(host, s.id, escalateKey(s.flow, a, view));
  },
  height: () => 'full',
  View({ dialog, host, theme, ticker, columns, rows }) {
    const { lines } = escalateScreen(dialog.flow, { width: columns, height: rows - 1, nowMs: ticker.getNow(), symbols: theme.symbols, enquiry: host.enquiry(dialog.flow.enquiryId) });
    return (
      <Box flexDirection="column">
        {lines.map((l, i) => ('field' in l ? <Field key={i} line={l.field} prompt={l.prompt} theme={theme} columns={columns} /> : <Line key={i} segments={l.segments} theme={theme} />))}
      </Box>
    );
  },
};

export const escalateOpener: Binding = {
  keys: ['e'],
  label: 'e',
  hint: 'escalate',
  help: 'escalate to a court by email: court, template, details, preview, send',
  needs: 'you hold it (supervisors: any open enquiry)',
  footer: 10,
  when: heldOrSupervisor,
  run: (a) => {
    const e = a.selected();
    if (!e) return;
    // The directory and the templates live with the broker: a dialog that cannot ask it would only hang.
    if (a.client.connection.state !== 'connected') return a.notify('Escalating needs the broker (the court directory and templates are there): wait until connected.', 'error');
    const backlog = new Map(courtBacklog(a.client.state.enquiries.values()).map((b) => [b.courtSlug, b]));
    const used: CourtChoice[] = usedCourts(e).map((x) => ({
      name: x.courtName,
      slug: x.courtSlug,
      email: x.to,
      welsh: false,
      unanswered: backlog.get(x.courtSlug)?.unanswered ?? 0,
      oldestSince: backlog.get(x.courtSlug)?.oldestSince ?? null,
      usedHere: true,
    }));
    const id = ++opened;
    const start = escalateStart(e.id, e.language, used);
    a.update({ dialog: { kind: 'escalate', id, flow: start.state }, notice: null });
    for (const effect of start.effects) carryOut(a, id, effect);
  },
};

/** The open escalation dialog if it is the one numbered `id`. */
function openAs(host: DialogHost, id: number): EscalateDialog | null {
  const d = host.state.dialog;
  return d?.kind === 'escalate' && d.id === id ? d : null;
}

function apply(host: DialogHost, id: number, result: EscalateResult): void {
  const dialog = openAs(host, id);
  if (!dialog) return;
  if (result.close) {
    host.timer(COURT_TIMER, null);
    const court = dialog.flow.court?.name ?? 'the court';
    if (result.close === 'escalated') {
      host.update({ dialog: null, paneScroll: 0 });
      return host.notify(`Escalated to ${court}: the email shows as queued, then sent once it has gone.`, 'info');
    }
    const sending = dialog.flow.waiting === 'send';
    host.update({ dialog: null, notice: sending ? { text: `Still sending the escalation to ${court}: what becomes of it will show here.`, tone: 'info' } : null });
    return;
  }
  host.update({ dialog: { ...dialog, flow: result.state } });
  for (const effect of result.effects) carryOut(host, id, effect);
}

/** Hands a broker answer to the dialog that asked, if it is still open. */
function answer(host: DialogHost, id: number, event: EscalateEvent): void {
  const dialog = openAs(host, id);
  if (dialog) apply(host, id, escalateEvent(dialog.flow, event));
}

function refused(request: number | null, o: CommandOutcome & { ok: false }): EscalateEvent {
  return { type: 'refused', request, message: o.error.message, ...(o.error.missing ? { missing: o.error.missing } : {}) };
}

function carryOut(host: DialogHost, id: number, effect: EscalateEffect): void {
  const enquiryId = openAs(host, id)?.flow.enquiryId ?? '';
  switch (effect.type) {
    case 'list-courts': {
      const search = () =>
        void host.ask({ type: 'list-courts', ...(effect.query ? { query: effect.query } : {}) }).then((o) =>
          answer(host, id, o.ok ? { type: 'courts', query: effect.query, courts: o.data } : refused(null, o)),
        );
      host.timer(COURT_TIMER, effect.now ? null : COURT_SEARCH_DELAY_MS, search);
      if (effect.now) search();
      return;
    }
    case 'list-templates':
      void host.ask({ type: 'list-templates' }).then((o) => answer(host, id, o.ok ? { type: 'templates', templates: o.data } : refused(null, o)));
      return;
    case 'preview': {
      const { request, type: _type, ...rest } = effect;
      void host.ask({ type: 'preview-escalation', enquiryId, ...rest }).then((o) => {
        if (!o.ok) return answer(host, id, refused(request, o));
        const p = o.data;
        answer(host, id, 'to' in p ? { type: 'previewed', request, missing: [], preview: { to: p.to, courtName: p.courtName, language: p.language, subject: p.subject, text: p.text } } : { type: 'previewed', request, missing: p.missing });
      });
      return;
    }
    case 'tag':
      void host.ask({ type: 'tag', enquiryId, caseNumber: effect.caseNumber }).then((o) => answer(host, id, o.ok ? { type: 'tagged', request: effect.request } : refused(effect.request, o)));
      return;
    case 'escalate': {
      const { request, type: _type, ...rest } = effect;
      const court = openAs(host, id)?.flow.court?.name ?? rest.courtSlug;
      void host.ask({ type: 'escalate', enquiryId, ...rest }).then((o) => {
        if (openAs(host, id)) return answer(host, id, o.ok ? { type: 'escalated', request } : refused(request, o));
        // The agent stopped waiting: the outcome still reaches them.
        host.notify(o.ok ? `Escalated to ${court}.` : `The escalation to ${court} was refused: ${o.error.message}`, o.ok ? 'info' : 'error');
      });
    }
  }
}
