// Types of config-reference.mjs for the test that imports it.
import type { SettingDoc } from '@openim-sync/runtime';

export interface ConfigRow extends SettingDoc {
  /** The apps that read it (`ingress`, `worker`, `` `jobs` ``); empty for docker compose's own. */
  readBy: string[];
}

export interface ConfigSection {
  title: string;
  /** The module that defines the section's variables. */
  source: string;
  intro: string;
  rows: ConfigRow[];
}

export function configSections(): ConfigSection[];
export function renderMarkdown(sections?: ConfigSection[]): string;
export function renderEnvExample(sections?: ConfigSection[]): string;
