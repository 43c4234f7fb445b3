import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { goShapeProblems } from './go-shape.test-helper.js';
import { goElementStructs, goStructs } from './go-structs.test-helper.js';
import { commandDefinitions } from './index.js';

// The fixtures are what Go's encoder writes for OpenIM's real structs: every
// field present, in declaration order, each value of its Go type. The
// re-encode check in catalog-contract.test.ts cannot see a missing key or a
// wrong order; this one can.

const readFixture = (command: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/${command}.json`, import.meta.url), 'utf8'));
const fieldsOf = (command: string) => {
  const spec = goStructs[command];
  if (!spec) throw new Error(`no Go struct for ${command}`);
  return spec.fields;
};

describe('Go struct shapes', () => {
  it('name a source for every after-callback of the catalog, and nothing else', () => {
    expect(Object.keys(goStructs).sort()).toEqual(commandDefinitions.map((d) => d.command).sort());
    for (const spec of [...Object.values(goStructs), ...Object.values(goElementStructs)]) {
      expect(spec.source).toMatch(/^(openimsdk\/(open-im-server|protocol) |OpenIM docs page )/);
    }
  });

  it.each(commandDefinitions.map((d) => d.command))(
    '%s: the fixture has each key of the struct, in order',
    (command) => {
      expect(goShapeProblems(readFixture(command), fieldsOf(command))).toEqual([]);
    },
  );

  const withFixed = Object.entries(goStructs).filter(([, spec]) => spec.fixed);
  it.each(withFixed)('%s: the fixture holds the one value OpenIM sends where it never varies', (command, spec) => {
    expect(readFixture(command)).toMatchObject(spec.fixed ?? {});
  });

  it('the creation as CreateGroup builds it: owner at 100, admins at 60, then every user at 20', () => {
    const body = readFixture('callbackAfterCreateGroupCommand');
    const list = body.initMemberList as Array<{ userID: string; roleLevel: number }>;
    const admins = list.filter((m) => m.roleLevel === 60).map((m) => m.userID);
    // userIDs = members, admins, owner (and the operator when not among them); memberCount = len(userIDs).
    const userIDs = list.filter((m) => m.roleLevel === 20).map((m) => m.userID);
    expect(list.map((m) => m.roleLevel)).toEqual([100, ...admins.map(() => 60), ...userIDs.map(() => 20)]);
    expect(list[0]?.userID).toBe(body.ownerUserID);
    expect(userIDs.slice(-admins.length - 1)).toEqual([...admins, body.ownerUserID]);
    expect(new Set(userIDs).size).toBe(userIDs.length);
    expect(body.memberCount).toBe(userIDs.length);
  });

  it("the dismissal's groupType is Go's string(int32) of a group type", () => {
    // "\u0002" for a working group (the only type v3.8 creates), "\u0000" for a v3.0 general group.
    expect(['\u0000', '\u0002']).toContain(readFixture('callbackAfterDisMissGroupCommand').groupType);
  });

  it('sees a missing key, keys out of order, nested keys and a value of the wrong type', () => {
    const register = fieldsOf('callbackAfterUserRegisterCommand');
    const user = { userID: 'u', nickname: '', faceURL: '', ex: '', createTime: 0, appMangerLevel: 0 };
    expect(goShapeProblems({ callbackCommand: 'c', users: [user] }, register)).toEqual([
      'users[0]. keys: [userID,nickname,faceURL,ex,createTime,appMangerLevel], ' +
        'Go writes [userID,nickname,faceURL,ex,createTime,appMangerLevel,globalRecvMsgOpt]',
    ]);
    expect(goShapeProblems({ users: null, callbackCommand: 'c' }, register)).toEqual([
      'body keys: [users,callbackCommand], Go writes [callbackCommand,users]',
    ]);
    const dismiss = { callbackCommand: 'c', groupID: 'g', ownerID: 'o', groupType: 2, membersID: null };
    expect(goShapeProblems(dismiss, fieldsOf('callbackAfterDisMissGroupCommand'))).toEqual([
      'groupType: 2 is not a Go string',
    ]);
    const read = { callbackCommand: 'c', conversationID: 'c', userID: 'u', Seqs: [1.5], contentType: 2 ** 31 };
    expect(goShapeProblems(read, fieldsOf('callbackAfterSingleMsgReadCommand'))).toEqual([
      'Seqs: [1.5] is not a Go []int64',
      `contentType: ${2 ** 31} is not a Go int32`,
    ]);
  });
});
