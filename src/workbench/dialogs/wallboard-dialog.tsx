// `w`: the wallboard (docs/wallboard.md), for supervisors and auditors. The broker pushes its
// figures while the board is open; the lines are the domain's, the same `courtdesk stats` prints,
// and the waits in them tick on the screen's one clock. A supervisor acts from it on the agent
// selected: sets them away or available, or releases or transfers the enquiry they have held longest.
import { Box } from 'ink';
import { useRef, useSyncExternalStore } from 'react';
import type { AgentFigures, CentreFigures } from '../../domain/centre-figures.js';
import { wallboardLines, type BoardLine } from '../../domain/wallboard-text.js';
import { Line } from '../components/line.js';
import type { Binding } from '../keys/context.js';
import { fit } from '../text.js';
import type { Theme } from '../theme.js';
import type { DialogHost, DialogSpec } from './dialog.js';
import { openTransfer } from './transfer-dialog.js';

export interface WallboardDialog {
  kind: 'wallboard';
  /** The agent row selected, by name (rows move as figures change). */
  agent: string | null;
}

type WallboardAction = { type: 'close' } | { type: 'move'; by: number } | { type: 'presence' } | { type: 'release' } | { type: 'transfer' };

export const wallboardDialog: DialogSpec<WallboardDialog, WallboardAction> = {
  kind: 'wallboard',
  modes: {
    read: {
      title: 'Reading the wallboard',
      keys: [
        { keys: ['j', 'down'], label: 'j/k', hint: 'agent', help: 'select the next agent (k or Up: the one before)', act: () => ({ type: 'move', by: 1 }) },
        { keys: ['k', 'up'], label: 'k', hint: null, help: 'select the agent before', act: () => ({ type: 'move', by: -1 }) },
        { keys: ['p'], label: 'p', hint: 'away/available', help: "set the selected agent away, or available again (supervisors)", act: () => ({ type: 'presence' }) },
        { keys: ['u'], label: 'u', hint: 'release oldest', help: 'release the enquiry the selected agent has held longest back to the queue (supervisors)', act: () => ({ type: 'release' }) },
        { keys: ['t'], label: 't', hint: 'transfer oldest', help: 'transfer the enquiry the selected agent has held longest to an agent picked (supervisors)', act: () => ({ type: 'transfer' }) },
        { keys: ['esc', 'w', 'q', 'ctrl-c'], label: 'Esc', hint: 'close', help: 'close the wallboard (w or q too)', act: () => ({ type: 'close' }) },
      ],
    },
  },
  mode: () => 'read',
  step(host, s, a) {
    const agents = host.client.wallboard?.agents ?? [];
    switch (a.type) {
      case 'close':
        host.client.watchWallboard?.(false);
        return host.update({ dialog: null });
      case 'move': {
        const at = agents.findIndex((x) => x.name === s.agent);
        const next = agents[Math.min(agents.length - 1, Math.max(0, at + a.by))];
        return host.update({ dialog: { ...s, agent: next?.name ?? null } });
      }
      case 'presence':
        return withAgent(host, agents, s, (agent) => {
          const state = agent.presence === 'away' ? 'available' : 'away';
          void host.command({ type: 'presence', state, agent: agent.name }, (o) => (o.ok ? `${agent.name} is ${state} now.` : `Could not set ${agent.name} ${state}: ${o.error.message}`));
        });
      case 'transfer':
        return withAgent(host, agents, s, (agent) => {
          if (!agent.oldestHeld) return host.notify(`${agent.name} holds nothing to transfer.`, 'info');
          openTransfer(host, agent.oldestHeld.enquiryId, agent.name);
        });
      case 'release':
        return withAgent(host, agents, s, (agent) => {
          const held = agent.oldestHeld;
          if (!held) return host.notify(`${agent.name} holds nothing to release.`, 'info');
          void host.command({ type: 'release', enquiryId: held.enquiryId }, (o) => (o.ok ? `Released ${held.enquiryId} from ${agent.name} back to the queue.` : `Could not release ${held.enquiryId}: ${o.error.message}`));
        });
    }
  },
  height: () => 'full',
  View({ dialog, host, theme, ticker, columns, rows }) {
    const figures = host.client.wallboard ?? null;
    const made = useRef<{ key: readonly unknown[]; lines: BoardLine[] } | null>(null);
    // One set of lines per second and figures, shared by the tick's comparison and the drawing.
    const lines = (now: number): BoardLine[] => {
      const key = [figures, now, columns, rows];
      if (made.current && key.every((k, i) => k === made.current!.key[i])) return made.current.lines;
      // A line short of the terminal, with the title, rule and footer: a frame as tall as the
      // terminal makes Ink clear the screen and write it all again on every render, changed or not.
      made.current = { key, lines: boardLines(figures, now, theme, columns, rows - 4) };
      return made.current.lines;
    };
    // Only a change in what the lines say draws a frame: most seconds no wait turns a minute.
    useSyncExternalStore(ticker.subscribe, () => lines(ticker.getNow()).map((l) => l.text).join('\n'));
    return (
      <Box flexDirection="column">
        <Line segments={[{ text: fit('Wallboard', columns, theme.symbols.ellipsis), role: 'strong' }]} theme={theme} />
        <Line segments={[{ text: theme.symbols.rule.repeat(columns), role: 'dim' }]} theme={theme} />
        {lines(ticker.getNow()).map((l, i) => (
          <Line
            key={i}
            segments={[{ text: l.text, role: l.bad ? 'warning' : l.heading ? 'strong' : undefined }]}
            inverse={l.agent !== undefined && l.agent === dialog.agent}
            theme={theme}
          />
        ))}
        <Line segments={[{ text: fit(dialog.agent ? `Selected: ${dialog.agent}` : 'j/k selects an agent', columns, theme.symbols.ellipsis), role: 'dim' }]} theme={theme} />
      </Box>
    );
  },
};

function withAgent(host: DialogHost, agents: readonly AgentFigures[], s: WallboardDialog, act: (agent: AgentFigures) => void): void {
  const agent = agents.find((x) => x.name === s.agent);
  if (!agent) return host.notify('Select an agent first: j/k moves through them.', 'info');
  act(agent);
}

function boardLines(figures: CentreFigures | null, now: number, theme: Theme, columns: number, rows: number): BoardLine[] {
  if (!figures) return [{ text: fit('Asking the broker for the figures…', columns, theme.symbols.ellipsis), bad: false }];
  return wallboardLines(figures, new Date(now), { width: columns, maxRows: Math.max(1, rows), mark: theme.symbols.warning, ellipsis: theme.symbols.ellipsis });
}

export const wallboardOpener: Binding = {
  keys: ['w'],
  label: 'w',
  hint: 'wallboard',
  help: 'show the wallboard: who waits, today so far, agents and courts',
  needs: 'a supervisor or auditor token',
  footer: null,
  when: (c) => (c.wallboard ? true : 'only supervisors and auditors see the wallboard'),
  run: (a) => {
    a.client.watchWallboard?.(true);
    a.update({ dialog: { kind: 'wallboard', agent: null } });
  },
};
