import type { CallbackEvent } from './events.js';

/**
 * The group an event concerns, or null: membership and group-settings events
 * always name one; messages and conversations only when they are a group's.
 * Not every event has a `groupID` field, so read it through here.
 */
export function eventGroupID(event: CallbackEvent): string | null {
  if (!('groupID' in event)) return null;
  const { groupID } = event;
  return typeof groupID === 'string' && groupID !== '' ? groupID : null;
}
