// Ink re-lays out on resize but does not re-render components, so the size is state here, for
// trees mounted without renderWorkbench (which follows resizes itself, ahead of Ink's own redraw).
import { useEffect, useState } from 'react';

export interface TerminalSize {
  columns: number;
  rows: number;
}

export function sizeOf(stdout: NodeJS.WriteStream): TerminalSize {
  // Non-TTY streams (tests, pipes) may have no size: draw for the smallest common terminal.
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}

export function useTerminalSize(stdout: NodeJS.WriteStream, active = true): TerminalSize {
  const [size, setSize] = useState(() => sizeOf(stdout));
  useEffect(() => {
    if (!active) return;
    const onResize = () => {
      const next = sizeOf(stdout);
      setSize((prev) => (prev.columns === next.columns && prev.rows === next.rows ? prev : next));
    };
    stdout.on('resize', onResize);
    onResize();
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, active]);
  return size;
}
