// `t`: hand the selected enquiry to another agent online, picked from a list that shows what each
// holds against their cap and the languages they work in (the broker's list-agents). Agents
// transfer what they hold; supervisors anything.
import type { AgentFigures } from '../../domain/centre-figures.js';
import { Choice, Title } from '../components/dialog-parts.js';
import { displayName } from '../format.js';
import { heldOrSupervisor, type Binding } from '../keys/context.js';
import type { DialogHost, DialogSpec } from './dialog.js';
import { pick, pickerOf, pickerRows, type PickerKey, type PickerState } from './picker.js';

export interface TransferDialog {
  kind: 'transfer';
  enquiryId: string;
  /** Null while the broker is asked who is online. */
  agents: AgentFigures[] | null;
  picker: PickerState;
  /** Opened from the wallboard (on this agent's row): it goes back there when done. */
  fromWallboard?: string;
}

/** Agents listed at most: the picker's digits reach nine, j/k the rest. */
const MOST_SHOWN = 9;

export const transferDialog: DialogSpec<TransferDialog, PickerKey> = {
  kind: 'transfer',
  modes: {
    pick: { title: 'Transferring an enquiry', keys: pickerRows((s) => s.agents?.length ?? 0, (k) => k, { choose: 'transfer', cancel: 'cancel', item: 'agent' }) },
  },
  mode: () => 'pick',
  step(host, s, k) {
    const done = s.fromWallboard === undefined ? null : { kind: 'wallboard' as const, agent: s.fromWallboard };
    if (k.type === 'cancel') return host.update({ dialog: done });
    if (!s.agents || s.agents.length === 0) return;
    const picker = pick(s.picker, k);
    if (k.type !== 'choose') return host.update({ dialog: { ...s, picker } });
    const to = s.agents[picker.index]!.name;
    host.update({ dialog: done });
    void host.command({ type: 'transfer', enquiryId: s.enquiryId, toAgent: to }, (o) => (o.ok ? `Transferred ${s.enquiryId} to ${to}.` : `Could not transfer it to ${to}: ${o.error.message}`));
  },
  height: (s) => 1 + Math.max(1, s.agents?.length ?? 1),
  View({ dialog, host, theme, columns }) {
    const e = host.enquiry(dialog.enquiryId);
    const title = `Transfer ${e ? `${displayName(e)}'s enquiry` : dialog.enquiryId} to whom?`;
    if (!dialog.agents) return <Title text={`${title} Asking the broker who is online…`} theme={theme} columns={columns} />;
    if (dialog.agents.length === 0) return <Title text={`${title} Nobody else is online to take it. Esc closes.`} role="warning" theme={theme} columns={columns} />;
    return (
      <>
        <Title text={title} theme={theme} columns={columns} />
        {dialog.agents.map((a, i) => (
          <Choice key={a.name} index={i} text={agentChoice(a)} selected={i === dialog.picker.index} theme={theme} columns={columns} />
        ))}
      </>
    );
  },
};

/** "bob  holds 1 of 3  en cy  away". */
export function agentChoice(a: AgentFigures): string {
  return `${a.name}  holds ${a.held} of ${a.heldCap}  ${a.languages.join(' ')}${a.presence === 'away' ? '  away' : ''}`;
}

/** Opens the picker for an enquiry and asks the broker who could take it. */
export function openTransfer(host: DialogHost, enquiryId: string, fromWallboard?: string): void {
  host.update({ dialog: { kind: 'transfer', enquiryId, agents: null, picker: pickerOf(0), ...(fromWallboard !== undefined ? { fromWallboard } : {}) }, notice: null });
  void askWhoIsOnline(host, enquiryId);
}

async function askWhoIsOnline(host: DialogHost, enquiryId: string): Promise<void> {
  const outcome = await host.ask({ type: 'list-agents' });
  const open = host.state.dialog;
  if (open?.kind !== 'transfer' || open.enquiryId !== enquiryId) return;
  if (!outcome.ok) {
    host.update({ dialog: open.fromWallboard === undefined ? null : { kind: 'wallboard', agent: open.fromWallboard } });
    return host.notify(`Could not list the agents online: ${outcome.error.message}`, 'error');
  }
  const holder = host.enquiry(enquiryId)?.claimedBy;
  const agents = outcome.data.filter((a) => a.name !== holder).slice(0, MOST_SHOWN);
  host.update({ dialog: { ...open, agents, picker: pickerOf(agents.length) } });
}

export const transferOpener: Binding = {
  keys: ['t'],
  label: 't',
  hint: 'transfer',
  help: 'transfer the selected enquiry to an agent online (shows their load and languages)',
  needs: 'you hold it (supervisors: any open enquiry)',
  footer: 16,
  when: heldOrSupervisor,
  run: (a) => {
    const e = a.selected();
    if (e) openTransfer(a, e.id);
  },
};
