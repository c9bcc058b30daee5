// The extension's pure logic under `node --test` (run by tests/e2e/lib-logic.t): the ID check digit and the
// backup password rule with the vectors of the host's own tests (tests/unit/test_util.c, tests/host/flows.t), so
// the page and the host cannot drift apart, and the strength score.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidTaiwanId, normalizeId } from '../../extension/lib/twid.js';
import { ruleOf, breaks } from '../../extension/lib/pwrule.js';
import { strength } from '../../extension/lib/strength.js';

test('ID check digit: the vectors of tests/unit/test_util.c', () => {
  for (const id of ['A123456789', 'F131104093', 'A800000005', 'AC01234567', 'FA12345670'])
    assert.equal(isValidTaiwanId(id), true, id);
  for (const id of ['A123456788', 'A12345678', 'A323456789', 'AC01234568', 'AE01234567', '', null, undefined])
    assert.equal(isValidTaiwanId(id), false, String(id));
});

test('ID: the page upper-cases and trims what is typed before checking (the host gets the upper-case form)', () => {
  assert.equal(normalizeId(' a123456789 '), 'A123456789');
  assert.equal(isValidTaiwanId('a123456789'), true);
  assert.equal(isValidTaiwanId('Ac01234567'), true);
});

// The rule as the host announces it in hello (tests/host/flows.t checks that announcement).
const HELLO = { password_rule: { needs: ['letter', 'digit'], min_length: 8, not_national_id: true } };
const ID = 'A123456789';

test('password rule: the vectors of tests/host/flows.t, same rule names as the host', () => {
  const rule = ruleOf(HELLO);
  assert.equal(breaks(rule, 'abcdefghijk', ID), 'digit');
  assert.equal(breaks(rule, '1234567890', ID), 'letter');
  assert.equal(breaks(rule, 'x' + ID, ID), 'national_id');
  assert.equal(breaks(rule, 'x' + ID.toLowerCase() + '1', ID), 'national_id', 'the ID in any case');
  assert.equal(breaks(rule, 'Ab1', ID), 'min_length');
  assert.equal(breaks(rule, 'onlyletters', ID), 'digit');
  assert.equal(breaks(rule, 'Backup-Pass-1', ID), '');
});

test('password rule: length in UTF-8 bytes as the host counts; no announcement still wants 8', () => {
  const rule = ruleOf(HELLO);
  assert.equal(breaks(rule, '密碼a1', ID), '', '2 CJK characters (6 bytes) + 2 = 8 bytes');
  assert.equal(breaks(rule, '密a1', ID), 'min_length', '5 bytes');
  assert.deepEqual(ruleOf(null), { min_length: 8, needs: [], not_national_id: false });
  assert.equal(breaks(ruleOf(null), '1234567', null), 'min_length');
});

test('strength: 0 short or with the ID, 1 one class or one repeated character, 2 fair, 3 long and mixed', () => {
  assert.equal(strength('', ID), 0);
  assert.equal(strength('Ab1-xyz', ID), 0);
  assert.equal(strength('xx' + ID + 'yy', ID), 0);
  assert.equal(strength('aaaaaaaa', ID), 1);
  assert.equal(strength('abcdefgh', ID), 1);
  assert.equal(strength('abcd1234', ID), 2);
  assert.equal(strength('Abcd1234', ID), 2, '8 characters, three classes: not yet long');
  assert.equal(strength('Abcd1234ef', ID), 3);
  assert.equal(strength('Tw-Secure#2026', ID), 3);
});

// Issue 20: which broker an origin belongs to and which pages the extension hears (extension/background/broker-logic.js,
// a classic script shared by the background and the popup: it sets globalThis.ecmBrokerLogic).
await import('../../extension/background/broker-logic.js');
const B = globalThis.ecmBrokerLogic;
const HELLO_BROKERS = { brokers: [
  { id: 'brka', name: { 'zh-TW': '甲證券', en: 'Broker A' }, origins: ['https://127.0.0.1:8443', 'https://trade.a.example'] },
  { id: 'brkb', name: { 'zh-TW': '乙證券', en: 'Broker B' }, origins: ['https://127.0.0.1:9443', 'http://plain.example', 'https://x.example/path'] },
  { name: { en: 'no id' }, origins: ['https://no-id.example'] },
] };

test('brokers: hello\'s list with well-formed https origins only; none without brokers', () => {
  const list = B.brokersOf(HELLO_BROKERS);
  assert.deepEqual(list.map((b) => b.id), ['brka', 'brkb'], 'an entry without an id is nobody');
  assert.deepEqual(list[1].origins, ['https://127.0.0.1:9443'], 'http:// and a path are not origins a page can have');
  assert.deepEqual(B.brokersOf({ config: { sign_origins: ['https://127.0.0.1:8443'] } }), []);
  assert.deepEqual(B.brokersOf(null), []);
});

test('brokers: the match pattern has no port; the exact origin (with its port) picks the broker', () => {
  assert.equal(B.patternOf('https://127.0.0.1:8443'), 'https://127.0.0.1/*');
  assert.equal(B.patternOf('https://trade.a.example'), 'https://trade.a.example/*');
  for (const bad of ['http://a.example', 'https://a.example/', 'https://a.example/x', 'null', '', 'https://*.example'])
    assert.equal(B.patternOf(bad), null, bad);
  const list = B.brokersOf(HELLO_BROKERS);
  assert.equal(B.brokerOfOrigin(list, 'https://127.0.0.1:8443').id, 'brka');
  assert.equal(B.brokerOfOrigin(list, 'https://127.0.0.1:9443').id, 'brkb');
  assert.equal(B.brokerOfOrigin(list, 'https://127.0.0.1:7443'), null, 'same host, a port no profile lists: nobody');
  assert.equal(B.brokerOfOrigin(list, 'https://trade.a.example:444'), null);
});

test('brokers: heard = listed AND granted; the popup lists the brokers with a page not yet granted', () => {
  const list = B.brokersOf(HELLO_BROKERS);
  assert.deepEqual(B.patternsOf(list), ['https://127.0.0.1/*', 'https://trade.a.example/*']);
  const granted = ['https://127.0.0.1/*', 'https://other.example/*'];
  assert.deepEqual(B.wantedMatches(list, granted), ['https://127.0.0.1/*'], 'a grant no profile lists is not heard');
  assert.deepEqual(B.ungranted(list, granted).map((b) => b.id), ['brka']);
  assert.deepEqual(B.ungranted(list, B.patternsOf(list)), []);
  assert.equal(B.sameList(['b', 'a'], ['a', 'b']), true);
  assert.equal(B.sameList(['a'], ['a', 'b']), false);
});

test('brokers: names by UI language, the remembered default while it is installed', () => {
  const [a] = B.brokersOf(HELLO_BROKERS);
  assert.equal(B.nameOf(a, 'zh-TW'), '甲證券');
  assert.equal(B.nameOf(a, 'zh'), '甲證券');
  assert.equal(B.nameOf(a, 'en-US'), 'Broker A');
  assert.equal(B.nameOf({ id: 'brkc', name: {} }, 'en'), 'brkc');
  const list = B.brokersOf(HELLO_BROKERS);
  assert.equal(B.defaultBroker(list, 'brkb').id, 'brkb');
  assert.equal(B.defaultBroker(list, 'gone').id, 'brka');
  assert.equal(B.defaultBroker([], 'brka'), null);
});

test('reminder: each entry\'s window is its broker\'s (the RA\'s at the last login, else the profile\'s, else 30)', () => {
  const a = { broker: { id: 'brka' }, renew_days: 45 };
  assert.equal(B.windowOf(a, { brka: 20, brkb: 60 }), 20, 'the RA said 20 at the last login at brka');
  assert.equal(B.windowOf(a, { brkb: 60 }), 45, 'no login at brka yet: its profile\'s renew_days');
  assert.equal(B.windowOf({ broker: null }, { '': 14 }), 14, 'no broker installed: the one login\'s window');
  assert.equal(B.windowOf({ broker: { id: 'brkc' } }, undefined), 30);
  assert.equal(B.windowOf(a, { brka: '20' }), 45, 'only a whole number counts');
});

test('reminder: the badge speaks of the first expired, else the first due, else the nearest', () => {
  const e = (id, state) => ({ serial: id, state });
  assert.equal(B.reminderFocus([e('1', 'ok'), e('2', 'renew'), e('3', 'expired')]).serial, '3');
  assert.equal(B.reminderFocus([e('1', 'ok'), e('2', 'renew'), e('3', 'renew')]).serial, '2',
    'a nearer certificate whose broker\'s window has not opened does not hide a due one');
  assert.equal(B.reminderFocus([e('1', 'ok'), e('2', 'ok')]).serial, '1');
  assert.equal(B.reminderFocus([]), null);
});
