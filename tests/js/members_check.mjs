// Checks App Context memberships and channel members with PubNub's JavaScript SDK
// against local_pubnub, the calls the Chat SDK makes for join/leave/invite, members,
// read receipts and restrictions.
//
//   node members_check.mjs OPEN_ORIGIN PAM_ORIGIN SECRET_KEY [PUBNUB_MODULE]
//
// OPEN_ORIGIN is a server without Access Manager and with objects events on; PAM_ORIGIN
// one with SECRET_KEY. PUBNUB_MODULE is the SDK to load (default `pubnub`, a path for
// another installed version). Prints `FAIL [area] name: detail` per failed check and
// `js members (VERSION): K/N checks`; exits non-zero when any check failed. A global
// timeout (30 s, env SDK_CHECK_TIMEOUT_MS) ends the run.

import { createRequire } from 'node:module';
import path from 'node:path';

const [openOrigin, pamOrigin, secretKey, modulePath = 'pubnub'] = process.argv.slice(2);
if (!openOrigin || !pamOrigin || !secretKey) {
  console.error('usage: node members_check.mjs OPEN_ORIGIN PAM_ORIGIN SECRET_KEY [PUBNUB_MODULE]');
  process.exit(64);
}
const require = createRequire(import.meta.url);
const resolved = modulePath === 'pubnub' ? 'pubnub' : path.resolve(modulePath);
const loaded = require(resolved);
const PubNub = loaded.default ?? loaded;
const VERSION = require(path.join(path.dirname(require.resolve(`${resolved}/package.json`)),
  'package.json')).version;
const TIMEOUT_MS = Number(process.env.SDK_CHECK_TIMEOUT_MS || 30000);
const VERBOSE = process.env.SDK_CHECK_VERBOSE === '1';
const SUB = 'sub-c-members';
const PUB = 'pub-c-members';

let passed = 0;
let total = 0;
const clients = [];

function check(area, name, ok, detail = '') {
  total += 1;
  if (ok) {
    passed += 1;
    if (VERBOSE) console.log(`ok   [${area}] ${name}`);
  } else {
    console.log(`FAIL [${area}] ${name}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}

const describe = (value) => {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
};

function finish(reason) {
  if (reason) console.log(reason);
  console.log(`js members (${VERSION}): ${passed}/${total} checks`);
  for (const client of clients) {
    try {
      client.destroy(true);
    } catch {
      // shutting down anyway
    }
  }
  process.exit(passed === total && total > 0 ? 0 : 1);
}

const globalTimer = setTimeout(() => {
  total += 1;
  finish(`FAIL [run] global timeout: not finished within ${TIMEOUT_MS} ms`);
}, TIMEOUT_MS);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = predicate();
    if (value || Date.now() > deadline) return value;
    await sleep(25);
  }
}

function client(origin, userId, extra = {}) {
  const pubnub = new PubNub({
    origin, ssl: false, subscribeKey: SUB, publishKey: PUB, userId,
    logVerbosity: false, ...extra,
  });
  clients.push(pubnub);
  return pubnub;
}

async function attempt(area, name, call) {
  try {
    const result = await call();
    check(area, name, true);
    return result;
  } catch (error) {
    check(area, name, false, `${error.message} ${describe(error.status?.errorData)}`);
    return undefined;
  }
}

async function refused(area, name, call, expectedPayload) {
  try {
    await call();
    check(area, name, false, 'the call succeeded');
  } catch (error) {
    const status = error.status ?? {};
    const payload = status.errorData?.payload;
    check(area, name, status.statusCode === 403 &&
      (!expectedPayload || describe(payload) === describe(expectedPayload)),
    `status ${status.statusCode}, payload ${describe(payload)}`);
  }
}

const ids = (result, key) => (result?.data ?? []).map((item) => item[key].id);

async function membershipsAndMembers() {
  const alice = client(openOrigin, 'js-alice');
  const agent = client(openOrigin, 'js-agent');
  await attempt('setup', 'setUUIDMetadata', () => alice.objects.setUUIDMetadata({
    data: { name: 'Alice', custom: { tier: 'gold' } } }));
  await attempt('setup', 'setChannelMetadata', () => agent.objects.setChannelMetadata({
    channel: 'direct.js', data: { name: 'Alice & Agent', type: 'direct' } }));

  // Live events: the channel and alice's own channel both hear membership changes.
  const heard = { channel: [], user: [] };
  for (const [who, name] of [[agent, 'direct.js'], [alice, 'js-alice']]) {
    who.addListener({
      objects: (event) => (name === 'direct.js' ? heard.channel : heard.user).push(event),
    });
    who.subscribe({ channels: [name] });
  }
  await sleep(600);

  const joined = await attempt('memberships', 'setMemberships (join)', () =>
    alice.objects.setMemberships({
      channels: [{ id: 'direct.js', custom: { lastReadMessageTimetoken: '0' }, status: 'active' },
        'PUBNUB_INTERNAL_MODERATION_direct.js'],
      include: { customFields: true, channelFields: true, customChannelFields: true, totalCount: true },
    }));
  if (joined) {
    const item = joined.data.find((m) => m.channel.id === 'direct.js');
    check('memberships', 'set answers the channel with its metadata',
      item?.channel?.name === 'Alice & Agent' && item?.channel?.type === 'direct', describe(item));
    check('memberships', 'set answers custom and status',
      item?.custom?.lastReadMessageTimetoken === '0' && item?.status === 'active', describe(item));
    check('memberships', 'totalCount with include.totalCount', joined.totalCount === 2,
      describe(joined));
    check('memberships', 'a channel without metadata is just its id',
      describe(joined.data.find((m) => m.channel.id !== 'direct.js')?.channel) ===
        describe({ id: 'PUBNUB_INTERNAL_MODERATION_direct.js' }), describe(joined.data));
  }
  const visible = await attempt('memberships', 'getMemberships with the Chat SDK filter', () =>
    alice.objects.getMemberships({
      filter: "!(channel.id LIKE 'PUBNUB_INTERNAL_MODERATION_*')",
      include: { customFields: true } }));
  check('memberships', 'moderation channels filtered out',
    describe(ids(visible, 'channel')) === describe(['direct.js']), describe(visible));

  const invited = await attempt('members', 'setChannelMembers (invite)', () =>
    agent.objects.setChannelMembers({
      channel: 'direct.js', uuids: [{ id: 'js-agent', custom: { role: 'agent' } }],
      include: { customFields: true, UUIDFields: true, customUUIDFields: true } }));
  if (invited) {
    check('members', 'members list both users', describe(ids(invited, 'uuid')) ===
      describe(['js-agent', 'js-alice']), describe(invited));
    const aliceItem = invited.data.find((m) => m.uuid.id === 'js-alice');
    check('members', 'a member with metadata comes with it',
      aliceItem?.uuid?.name === 'Alice' && aliceItem?.uuid?.custom?.tier === 'gold',
      describe(aliceItem));
  }
  const one = await attempt('members', 'getChannelMembers filter uuid.id', () =>
    agent.objects.getChannelMembers({ channel: 'direct.js', filter: "uuid.id == 'js-alice'",
      include: { customFields: true } }));
  check('members', 'filter by uuid.id', describe(ids(one, 'uuid')) === describe(['js-alice']),
    describe(one));

  // Read receipt: the Chat SDK rewrites the membership's custom.
  const read = await attempt('memberships', 'setMemberships (lastReadMessageTimetoken)', () =>
    alice.objects.setMemberships({
      channels: [{ id: 'direct.js', custom: { lastReadMessageTimetoken: '17350000000000009' } }],
      include: { customFields: true, statusField: true } }));
  const receipt = read?.data.find((m) => m.channel.id === 'direct.js');
  check('memberships', 'the receipt is stored and status kept',
    receipt?.custom?.lastReadMessageTimetoken === '17350000000000009' && receipt?.status === 'active',
    describe(receipt));

  // Sort and pages.
  for (const n of [1, 2, 3]) {
    await attempt('paging', `setMemberships group.${n}`, () =>
      alice.objects.setMemberships({ channels: [`group.${n}`] }));
  }
  const sorted = await attempt('paging', 'getMemberships sort channel.id desc, limit 2', () =>
    alice.objects.getMemberships({ sort: { 'channel.id': 'desc' }, limit: 2,
      include: { totalCount: true } }));
  check('paging', 'first page sorted', describe(ids(sorted, 'channel')) ===
    describe(['group.3', 'group.2']) && sorted.totalCount === 5 && Boolean(sorted.next),
  describe(sorted));
  const next = sorted && await attempt('paging', 'next page', () =>
    alice.objects.getMemberships({ sort: { 'channel.id': 'desc' }, limit: 2,
      page: { next: sorted.next } }));
  check('paging', 'second page continues', describe(ids(next, 'channel')) ===
    describe(['group.1', 'direct.js']) && Boolean(next?.prev), describe(next));

  // Leave.
  const left = await attempt('memberships', 'removeMemberships (leave)', () =>
    alice.objects.removeMemberships({ channels: ['direct.js'] }));
  check('memberships', 'leave drops the channel', left && !ids(left, 'channel').includes('direct.js'),
    describe(left));
  const removed = await attempt('members', 'removeChannelMembers', () =>
    agent.objects.removeChannelMembers({ channel: 'direct.js', uuids: ['js-agent'] }));
  check('members', 'no members left', removed && removed.data.length === 0, describe(removed));

  const setEvent = await waitFor(() => heard.user.find((e) => e.message.type === 'membership' &&
    e.message.event === 'set' && e.message.data.channel.id === 'direct.js'));
  check('events', "membership set heard on the user's channel",
    setEvent?.message?.data?.uuid?.id === 'js-alice', describe(heard.user.map((e) => e.message)));
  const deleteEvent = await waitFor(() => heard.channel.find((e) =>
    e.message.type === 'membership' && e.message.event === 'delete' &&
    e.message.data.uuid.id === 'js-alice'));
  check('events', 'membership delete heard on the channel', Boolean(deleteEvent),
    describe(heard.channel.map((e) => e.message)));
  check('events', 'event data names both ids',
    deleteEvent?.message?.data?.channel?.id === 'direct.js', describe(deleteEvent?.message));
  alice.unsubscribeAll();
  agent.unsubscribeAll();
}

async function accessManager() {
  const admin = client(pamOrigin, 'js-admin', { secretKey });
  const token = await attempt('pam', 'grantToken', () => admin.grantToken({
    ttl: 15, authorized_uuid: 'js-bob',
    resources: { uuids: { 'js-bob': { get: true, update: true } },
      channels: { 'room.js': { join: true } } } }));
  if (!token) return;
  const bob = client(pamOrigin, 'js-bob');
  bob.setToken(token);
  await attempt('pam', 'join with uuid update + channel join', () =>
    bob.objects.setMemberships({ channels: ['room.js'] }));
  const mine = await attempt('pam', 'getMemberships with uuid get', () =>
    bob.objects.getMemberships({}));
  check('pam', 'own memberships listed', describe(ids(mine, 'channel')) === describe(['room.js']),
    describe(mine));
  await refused('pam', 'join a channel without join', () =>
    bob.objects.setMemberships({ channels: ['other.js'] }), { channels: ['other.js'] });
  await refused('pam', 'list members without channel get', () =>
    bob.objects.getChannelMembers({ channel: 'room.js' }), { channels: ['room.js'] });
  await refused('pam', 'set members without channel manage', () =>
    bob.objects.setChannelMembers({ channel: 'room.js', uuids: ['js-eve'] }),
  { channels: ['room.js'] });
  const members = await attempt('pam', 'admin (secret key) lists members', () =>
    admin.objects.getChannelMembers({ channel: 'room.js' }));
  check('pam', 'admin sees bob', describe(ids(members, 'uuid')) === describe(['js-bob']),
    describe(members));
}

async function main() {
  await membershipsAndMembers();
  await accessManager();
}

main()
  .then(() => {
    clearTimeout(globalTimer);
    finish();
  })
  .catch((error) => {
    clearTimeout(globalTimer);
    total += 1;
    finish(`FAIL [run] unexpected exception: ${error?.stack ?? error}`);
  });
