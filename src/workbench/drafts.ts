// Where unsent reply drafts live between keystrokes, enquiries and restarts. The workbench does no
// file I/O itself: the CLI hands it a store backed by the config folder; tests and the script
// runner may keep drafts in memory.

export interface DraftStore {
  load(): Record<string, string>;
  /** Called on every change; a file-backed store should batch its writes. */
  save(drafts: Record<string, string>): void;
}

export function memoryDraftStore(initial: Record<string, string> = {}): DraftStore & { current: Record<string, string> } {
  const store = {
    current: { ...initial },
    load: () => ({ ...store.current }),
    save: (drafts: Record<string, string>) => {
      store.current = { ...drafts };
    },
  };
  return store;
}
