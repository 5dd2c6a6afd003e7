/**
 * Colours of the diagram, read from CSS custom properties that map VS Code's `--vscode-*` theme
 * variables (with fallbacks for the standalone report, see style.css). Re-read when the theme
 * changes: VS Code swaps the body class and the variables on the body's style.
 */
import { SPAN_STATE_COUNT, SpanState } from './lanes';

/** Resolved colours and fills for the canvas. */
export interface Theme {
  /** Fill per {@link SpanState}: a colour or a hatch pattern. */
  fill: (string | CanvasPattern)[];
  /** Outline per state, or '' for none. */
  stroke: string[];
  /** Bar height as a share of the row height, per state (waiting and parked bars are thinner). */
  height: number[];
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  selection: string;
  highlight: string;
  /** Marks where the runner stopped following a thread's promises (and bars cut there). */
  mark: string;
  /** The base colour per state (for the legend swatches). */
  base: string[];
  /** True for high-contrast themes: outlines on every bar. */
  highContrast: boolean;
}

function hatch(ctx: CanvasRenderingContext2D, colour: string, background: string | null): CanvasPattern | string {
  const c = document.createElement('canvas');
  c.width = c.height = 6;
  const g = c.getContext('2d');
  if (!g) return colour;
  if (background) {
    g.fillStyle = background;
    g.fillRect(0, 0, 6, 6);
  }
  g.strokeStyle = colour;
  g.lineWidth = 2;
  g.beginPath();
  // Diagonal stripes that tile seamlessly.
  g.moveTo(-1, 7);
  g.lineTo(7, -1);
  g.moveTo(-1, 1);
  g.lineTo(1, -1);
  g.moveTo(5, 7);
  g.lineTo(7, 5);
  g.stroke();
  return ctx.createPattern(c, 'repeat') ?? colour;
}

/** Reads the theme from the CSS variables on `root`. */
export function readTheme(root: HTMLElement, ctx: CanvasRenderingContext2D): Theme {
  const cs = getComputedStyle(root);
  const v = (name: string, fallback: string): string => cs.getPropertyValue(name).trim() || fallback;
  const running = v('--cd-running', '#3794ff');
  const waiting = v('--cd-waiting', '#cca700');
  const queued = v('--cd-queued', '#d18616');
  const blocked = v('--cd-blocked', '#f14c4c');
  const inferred = v('--cd-inferred', '#3794ff');
  const runner = v('--cd-runner', '#8b8b8b');
  const background = v('--cd-bg', '#1e1e1e');
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const outline = v('--cd-outline', '');
  const fill: (string | CanvasPattern)[] = new Array(SPAN_STATE_COUNT);
  const stroke: string[] = new Array(SPAN_STATE_COUNT).fill(highContrast && outline ? outline : '');
  fill[SpanState.Running] = running;
  fill[SpanState.Waiting] = waiting;
  fill[SpanState.Queued] = hatch(ctx, queued, null);
  stroke[SpanState.Queued] = queued;
  fill[SpanState.Blocked] = blocked;
  fill[SpanState.Inferred] = hatch(ctx, inferred, background);
  stroke[SpanState.Inferred] = inferred;
  fill[SpanState.Runner] = runner;
  // Parked at a yield: as thin as a wait, hollow (nothing pending, the consumer has not asked yet).
  fill[SpanState.Parked] = background;
  stroke[SpanState.Parked] = waiting;
  const height = [0.72, 0.34, 0.5, 0.86, 0.72, 0.5, 0.34];
  return {
    fill,
    stroke,
    height,
    foreground: v('--cd-fg', '#cccccc'),
    muted: v('--cd-muted', '#8b8b8b'),
    grid: v('--cd-grid', 'rgba(128,128,128,0.25)'),
    background,
    selection: v('--cd-selection', '#ffffff'),
    highlight: v('--cd-highlight', '#f2cc60'),
    mark: v('--cd-mark', '#b180d7'),
    base: [running, waiting, queued, blocked, inferred, runner, waiting],
    highContrast,
  };
}
