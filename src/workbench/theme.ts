// Colours and symbols. chalk ignores NO_COLOR, so the theme decides: without colour every role maps
// to no style at all, and nothing the agent needs is carried by colour alone (SLA levels have a
// symbol, the selection has a marker).
import type { Role } from './format.js';
import type { Settings } from './settings.js';

export interface Symbols {
  selected: string;
  amber: string;
  red: string;
  rule: string;
  separator: string;
  ellipsis: string;
  note: string;
  escalation: string;
  warning: string;
}

export interface Style {
  color?: string;
  bold?: boolean;
  dimColor?: boolean;
  inverse?: boolean;
}

export interface Theme {
  color: boolean;
  symbols: Symbols;
  style(role: Role | undefined): Style;
}

const UNICODE: Symbols = {
  selected: '›',
  amber: '! ',
  red: '!!',
  rule: '─',
  separator: '│',
  ellipsis: '…',
  note: '✎',
  escalation: '↗',
  warning: '⚠',
};

const ASCII: Symbols = {
  selected: '>',
  amber: '! ',
  red: '!!',
  rule: '-',
  separator: '|',
  ellipsis: '...',
  note: '*',
  escalation: '^',
  warning: '!',
};

const COLOURS: Record<Role, Style> = {
  dim: { dimColor: true },
  strong: { bold: true },
  ok: { color: 'green' },
  amber: { color: 'yellow', bold: true },
  red: { color: 'red', bold: true },
  accent: { color: 'cyan' },
  tag: { color: 'magenta' },
  note: { color: 'yellow' },
  agent: { color: 'cyan' },
  customer: { bold: true },
  warning: { color: 'yellow', bold: true },
  error: { color: 'red', bold: true },
  selected: { color: 'cyan', bold: true },
};

const NONE: Style = {};

/** NO_COLOR (any non-empty value, per no-color.org) or the no-color setting turn colour off. */
export function colourWanted(settings: Pick<Settings, 'theme'>, env: NodeJS.ProcessEnv): boolean {
  if (settings.theme === 'no-color') return false;
  const noColor = env.NO_COLOR;
  return noColor === undefined || noColor === '';
}

export function makeTheme(settings: Pick<Settings, 'theme' | 'ascii'>, env: NodeJS.ProcessEnv): Theme {
  const color = colourWanted(settings, env);
  return {
    color,
    symbols: settings.ascii ? ASCII : UNICODE,
    style: (role) => (color && role ? COLOURS[role] : NONE),
  };
}
