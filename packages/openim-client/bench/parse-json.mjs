// Parse speed of OpenIM answers: parseJsonLossless (lossless-json) against
// JSON.parse and the regex pre-pass it replaced, on a 1 MB get_group_member_list
// answer. Run after a build: node packages/openim-client/bench/parse-json.mjs
import { parseJsonLossless } from '../dist/index.js';

const RUNS = 31;

function memberList(bytes) {
  const members = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const member = {
      groupID: '3842106574',
      userID: String(4_000_000_000 + i * 7919),
      roleLevel: i === 0 ? 100 : i % 50 === 0 ? 60 : 20,
      joinTime: 1_719_800_000_000 + i * 61_000,
      nickname: i % 3 === 0 ? `用户${i}` : `member ${i}`,
      faceURL: i % 4 === 0 ? '' : `https://cdn.example.com/avatar/${i.toString(36)}.png`,
      appMangerLevel: 0,
      joinSource: 2 + (i % 3),
      operatorUserID: 'imAdmin',
      ex: i % 5 === 0 ? JSON.stringify({ title: 'engineer', tags: ['a', 'b'] }) : '',
      muteEndTime: 0,
      inviterUserID: i % 2 === 0 ? 'imAdmin' : '',
    };
    members.push(member);
    size += JSON.stringify(member).length + 1;
  }
  return JSON.stringify({ errCode: 0, errMsg: '', errDlt: '', data: { total: members.length, members } });
}

// The code lossless-json replaced: big integers quoted by a regex, then JSON.parse.
const TOKEN = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\w.])/g;
const regexPrePass = (text) =>
  JSON.parse(text.replace(TOKEN, (t) => (t.startsWith('"') || Number.isSafeInteger(Number(t)) ? t : `"${t}"`)));

function medianMs(parse, text) {
  for (let i = 0; i < 5; i++) parse(text);
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    parse(text);
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[RUNS >> 1];
}

const text = memberList(1 << 20);
process.stdout.write(`${(Buffer.byteLength(text) / 1024).toFixed(0)} KiB, median of ${RUNS} runs:\n`);
for (const [name, parse] of [
  ['JSON.parse', JSON.parse],
  ['regex pre-pass + JSON.parse', regexPrePass],
  ['parseJsonLossless (lossless-json)', parseJsonLossless],
]) {
  process.stdout.write(`  ${name}: ${medianMs(parse, text).toFixed(1)} ms\n`);
}
