// What the screen holds besides the broker's state: the selection, the filter, the open dialog,
// drafts and the last notice. The controller owns it; dialogs change it through their host.
import type { Dialog } from './dialogs/registry.js';

export interface Notice {
  text: string;
  tone: 'info' | 'error';
}

export interface UiState {
  /** The enquiry the agent chose; kept while the ranking moves under it or a filter hides it. */
  selectedId: string | null;
  /** Where the selection last was, so it lands nearby when its enquiry leaves the list. */
  selectedIndex: number;
  filter: string;
  dialog: Dialog | null;
  notice: Notice | null;
  zoomed: boolean;
  paneScroll: number;
  drafts: Readonly<Record<string, string>>;
}
