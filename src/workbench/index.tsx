// The agent workbench: mount it on a broker client. The CLI, the tests and the script runner
// (which mounts it in a virtual terminal) all come in here.
import { render, useInput, useStdin, useStdout, type Instance } from 'ink';
import { useSyncExternalStore } from 'react';
import type { BrokerClient } from '../client/types.js';
import { ClockPainter } from './clock-painter.js';
import { Controller } from './controller.js';
import type { DraftStore } from './drafts.js';
import { Frame } from './components/frame.js';
import { runEnvelope } from './components/line.js';
import { sizeOf, useTerminalSize, type TerminalSize } from './hooks/use-terminal-size.js';
import { DEFAULT_SETTINGS, type Settings } from './settings.js';
import { makeTheme, type Theme } from './theme.js';
import { Ticker } from './ticker.js';

export { Controller } from './controller.js';
export type { DraftStore } from './drafts.js';
export { memoryDraftStore } from './drafts.js';
export { DEFAULT_SETTINGS } from './settings.js';
export type { Settings } from './settings.js';

export interface WorkbenchOptions {
  client: BrokerClient;
  settings?: Partial<Settings>;
  stdout?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  stderr?: NodeJS.WriteStream;
  /** Where NO_COLOR is read from; default process.env. */
  env?: NodeJS.ProcessEnv;
  drafts?: DraftStore;
  /** Ink's debug mode: every frame written whole, unthrottled (tests read frames this way). */
  debug?: boolean;
  /** Called after each frame Ink draws, with how long it took (benchmarks). */
  onRender?: (metrics: { renderTime: number }) => void;
  /** The clock the wait times are read from; default Date.now. */
  clock?: () => number;
}

export type WorkbenchInstance = Instance & { controller: Controller };

export interface WorkbenchProps {
  controller: Controller;
  theme: Theme;
  ticker: Ticker;
  /** The terminal size, when the caller follows resizes itself (renderWorkbench does). */
  size?: TerminalSize;
  /** Draws clock ticks without frames (renderWorkbench sets one up on a real terminal). */
  painter?: ClockPainter | null;
}

export function Workbench({ controller, theme, ticker, size, painter = null }: WorkbenchProps) {
  useSyncExternalStore(controller.subscribe, controller.getVersion);
  const { stdout } = useStdout();
  const measured = useTerminalSize(stdout, size === undefined);
  const { columns, rows } = size ?? measured;
  const { isRawModeSupported } = useStdin();
  // Undefined (not false) with piped stdin: only a definite yes turns raw mode on.
  useInput(controller.handleInput, { isActive: isRawModeSupported === true });
  return <Frame controller={controller} theme={theme} ticker={ticker} columns={columns} rows={rows} painter={painter} />;
}

/**
 * Ink's own cap on frames. Broker events are already held to `settings.fps` by the controller's
 * RedrawGate and clocks tick once a second, so what this throttle still delays is a key's frame:
 * at Ink's default the frame for a key pressed just after a broker frame waited up to 1000/fps
 * (50 ms at 20 fps, the key-press p99 of bench:workbench). The cap stays as a guard against a
 * burst of renders, at a frame interval a person does not notice.
 */
const INK_MAX_FPS = 120;

export function renderWorkbench(options: WorkbenchOptions): WorkbenchInstance {
  const settings: Settings = { ...DEFAULT_SETTINGS, ...options.settings };
  const theme = makeTheme(settings, options.env ?? process.env);
  const ticker = new Ticker(options.clock);
  let instance: Instance | null = null;
  const controller = new Controller({
    client: options.client,
    settings,
    ...(options.drafts ? { drafts: options.drafts } : {}),
    onQuit: () => instance?.unmount(),
  });
  const stdout = options.stdout ?? process.stdout;
  const painter = paintsClocks(stdout, options.debug ?? false)
    ? new ClockPainter({
        write: (bytes) => stdout.write(bytes),
        envelope: runEnvelope(theme),
        frameIntervalMs: Math.ceil(1000 / INK_MAX_FPS),
        rows: () => sizeOf(stdout).rows,
      })
    : null;
  const tree = (size: TerminalSize) => <Workbench controller={controller} theme={theme} ticker={ticker} size={size} painter={painter} />;
  // Registered before Ink registers its own: the re-render at the new size is synchronous, so Ink's
  // redraw that follows draws the new layout, never the old one at the new width.
  const onResize = () => {
    painter?.noteActivity();
    instance?.rerender(tree(sizeOf(stdout)));
  };
  stdout.on('resize', onResize);
  const unsubscribe = painter ? controller.subscribe(painter.noteActivity) : () => {};
  ticker.setGate(painter ? painter.tick : null);
  instance = render(tree(sizeOf(stdout)), {
    ...(options.stdout ? { stdout: options.stdout } : {}),
    ...(options.stdin ? { stdin: options.stdin } : {}),
    ...(options.stderr ? { stderr: options.stderr } : {}),
    onRender: (metrics: { renderTime: number }) => {
      painter?.noteActivity();
      options.onRender?.(metrics);
    },
    debug: options.debug ?? false,
    exitOnCtrlC: false,
    patchConsole: false,
    maxFps: INK_MAX_FPS,
    incrementalRendering: false,
  });
  const cleanUp = () => {
    stdout.off('resize', onResize);
    ticker.setGate(null);
    unsubscribe();
    controller.dispose();
  };
  // The caller awaits waitUntilExit for the outcome; this only tidies up, whichever way it ends.
  instance.waitUntilExit().then(cleanUp, cleanUp);
  return Object.assign(instance, { controller });
}

/**
 * Clocks are drawn in place only on a terminal that shows every frame as laid out and written: not
 * in Ink's debug mode (each frame written whole, for tests), not in its screen-reader mode (plain
 * text, no layout), and not when Ink draws only the last frame because it thinks it runs in CI
 * (its rule, from the is-in-ci package, read from the environment as Ink reads it).
 */
function paintsClocks(stdout: NodeJS.WriteStream, debug: boolean): boolean {
  const env = process.env;
  if (stdout.isTTY !== true || debug || env.INK_SCREEN_READER === 'true') return false;
  const inCi = env.CI !== '0' && env.CI !== 'false' && ('CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some((k) => k.startsWith('CI_')));
  return !inCi;
}
