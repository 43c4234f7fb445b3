import { styleText } from 'node:util';
import type { Output } from './output.js';

/** The few styles the tool uses: headers, counts that need attention, outcomes. */
export type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green';

/** Styles a piece of text, or returns it unchanged when colour is off. */
export type Paint = (style: Style, text: string) => string;

/**
 * Whether to colour what goes to `output`. `NO_COLOR` (any non-empty value,
 * https://no-color.org) always wins; `FORCE_COLOR` turns colour on for a
 * pipe (`0` or `false` turns it off); otherwise only a terminal that is not
 * `TERM=dumb` gets colour, so piped and `--json` output stays plain.
 */
export function colorEnabled(env: Record<string, string | undefined>, output: Pick<Output, 'isTTY'>): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return output.isTTY === true && env.TERM !== 'dumb';
}

const plain: Paint = (_style, text) => text;

// Node's own check (validateStream) looks at process.stdout, whatever we write to: the decision is colorEnabled's.
const styled: Paint = (style, text) => styleText(style, text, { validateStream: false });

/** A painter for `output` under `env`. */
export function createPaint(env: Record<string, string | undefined>, output: Pick<Output, 'isTTY'>): Paint {
  return colorEnabled(env, output) ? styled : plain;
}
