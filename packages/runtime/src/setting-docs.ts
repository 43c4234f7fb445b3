import type { z } from 'zod';

/**
 * What a setting's schema says about itself, in `.meta({...})`: the one home
 * of its description, read by the config reference generator
 * (scripts/config-reference.mjs) and by help texts.
 */
export interface SettingMeta {
  description: string;
  /** Credentials: never logged, and written without a value in `.env.example`. */
  secret?: boolean;
  /** A value to show where the setting has no default. */
  example?: string;
  /** Shown instead of the default when the value itself is unhelpful (a list of every command). */
  defaultText?: string;
}

/** One environment variable as the reference shows it. */
export interface SettingDoc {
  name: string;
  description: string;
  /** As written in the environment (`15m`, not 900000); undefined when unset means off or none. */
  default: string | undefined;
  /** Words that stand for the default where its value is unhelpful to show (SettingMeta.defaultText). */
  defaultText: string | undefined;
  secret: boolean;
  example: string | undefined;
}

interface Def {
  type: string;
  defaultValue?: unknown;
  in?: { _zod: { def: Def } };
  innerType?: { _zod: { def: Def } };
}

/**
 * The default as a user would write it. A duration or list parses its text,
 * so the default sits on the input side of a pipe (`z.string().default('0').transform()`);
 * elsewhere `.default()` wraps the whole schema and holds the parsed value.
 */
function defaultOf(def: Def): unknown {
  if (def.type === 'default') return def.defaultValue;
  if (def.type === 'pipe' && def.in) return defaultOf(def.in._zod.def);
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value.join(',');
  return String(value);
}

/** The documentation of each variable of a config shape, in its order; throws for one without a description. */
export function describeSettings(shape: Readonly<Record<string, z.ZodType>>): SettingDoc[] {
  return Object.entries(shape).map(([name, schema]) => {
    const meta = schema.meta() as Partial<SettingMeta> | undefined;
    if (typeof meta?.description !== 'string') throw new Error(`${name} has no .meta({ description })`);
    return {
      name,
      description: meta.description,
      default: asText(defaultOf(schema._zod.def as Def)),
      defaultText: meta.defaultText,
      secret: meta.secret === true,
      example: meta.example,
    };
  });
}
