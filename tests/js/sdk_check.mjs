// Checks that PubNub's JavaScript SDK (npm `pubnub`) works against local_pubnub unchanged.
//
//   node sdk_check.mjs HOST:PORT [--legacy-subscribe]
//
// `--legacy-subscribe` runs the same checks with the SDK's older subscription manager
// (`enableEventEngine: false`: `heartbeat` on subscribe polls, no `ee`).
// Prints one line per failed check (`FAIL [area] name: detail`) and `js sdk: K/N checks`
// at the end; exits non-zero when any check failed. Checks of the presence service are
// tagged `[presence]` so their failures can be told apart. A global timeout (default
// 30 s, env SDK_CHECK_TIMEOUT_MS) ends the run so it never hangs.
// Env SDK_CHECK_VERBOSE=1 also prints passing checks; SDK_CHECK_LOG=debug turns on SDK logs.

import PubNub from 'pubnub';

const origin = process.argv[2];
const LEGACY = process.argv.includes('--legacy-subscribe');
if (!origin || origin.startsWith('--')) {
  console.error('usage: node sdk_check.mjs HOST:PORT [--legacy-subscribe]');
  process.exit(64);
}
const TIMEOUT_MS = Number(process.env.SDK_CHECK_TIMEOUT_MS || 30000);
const VERBOSE = process.env.SDK_CHECK_VERBOSE === '1';
const STEP_MS = 5000;
const NOTE = 'заказ №7 📦 «скоро»';

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

function describe(value) {
  try {
    return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? String(v) : v));
  } catch {
    return String(value);
  }
}

function errorDetail(error) {
  if (!error) return 'no error';
  const status = error.status ?? {};
  return `${error.message} (status ${status.statusCode}, category ${status.category}, ` +
    `errorData ${describe(status.errorData)})`;
}

function finish(reason) {
  if (reason) console.log(reason);
  console.log(`js sdk${LEGACY ? ' (legacy subscribe)' : ''}: ${passed}/${total} checks`);
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

async function waitFor(predicate, ms = STEP_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(20);
  }
}

// One attempt; an exception becomes a failed check, never a crash.
async function attempt(area, name, fn) {
  try {
    return await fn();
  } catch (error) {
    check(area, name, false, errorDetail(error));
    return undefined;
  }
}

function makeClient(userId, extra = {}) {
  const client = new PubNub({
    publishKey: 'pub-c-js-check',
    subscribeKey: 'sub-c-js-check',
    userId,
    origin,
    ssl: false,
    presenceTimeout: 20,
    enableEventEngine: !LEGACY,
    logLevel: process.env.SDK_CHECK_LOG === 'debug' ? PubNub.LogLevel.Debug : PubNub.LogLevel.None,
    ...extra,
  });
  clients.push(client);
  return client;
}

const recorders = [];
const clientsEvents = () => recorders;

class Recorder {
  constructor() {
    recorders.push(this);
    this.messages = [];
    this.signals = [];
    this.presence = [];
    this.statuses = [];
  }

  listener() {
    return {
      message: (m) => this.messages.push(m),
      signal: (s) => this.signals.push(s),
      presence: (p) => this.presence.push(p),
      status: (s) => this.statuses.push(s),
    };
  }

  hasStatus(category) {
    return this.statuses.some((s) => s.category === category);
  }
}

async function main() {
  const run = `js${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const chA = `${run}.support-a`;
  const chB = `${run}.support b/c+d%2Fe`; // space, slash, plus and a literal %2F in a name
  const chC = `${run}.not-in-group`;
  const group = `${run}-group`;

  const agent = makeClient(`${run}-agent`);
  const customer = makeClient(`${run}-customer`);
  const agentId = agent.getUserId();
  const customerId = customer.getUserId();

  // --- time ------------------------------------------------------------------
  const time = await attempt('time', 'time()', () => agent.time());
  if (time) check('time', 'time() returns a 17-digit timetoken', String(time.timetoken).length === 17,
    describe(time));

  // --- channel groups --------------------------------------------------------
  await attempt('groups', 'addChannels', () =>
    agent.channelGroups.addChannels({ channels: [chA, chB, chC], channelGroup: group }));
  await attempt('groups', 'removeChannels', () =>
    agent.channelGroups.removeChannels({ channels: [chC], channelGroup: group }));
  const listed = await attempt('groups', 'listChannels', () =>
    agent.channelGroups.listChannels({ channelGroup: group }));
  if (listed) {
    const names = [...listed.channels].sort();
    check('groups', 'listChannels returns the group members', describe(names) === describe([chA, chB].sort()),
      describe(listed));
  }
  const allGroups = await attempt('groups', 'listGroups', () => agent.channelGroups.listGroups());
  if (allGroups) check('groups', 'listGroups includes the group', (allGroups.groups ?? []).includes(group),
    describe(allGroups));

  // --- subscribe to the group, with presence ---------------------------------
  const agentEvents = new Recorder();
  agent.addListener(agentEvents.listener());
  agent.subscribe({ channelGroups: [group], withPresence: true });
  check('subscribe', 'group subscription connects',
    Boolean(await waitFor(() => agentEvents.hasStatus('PNConnectedCategory'))),
    describe(agentEvents.statuses.map((s) => s.category)));

  // A customer joins chB directly: the agent sees the join through the group's presence.
  const customerEvents = new Recorder();
  customer.addListener(customerEvents.listener());
  customer.subscribe({ channels: [chB] });
  check('subscribe', 'channel subscription connects',
    Boolean(await waitFor(() => customerEvents.hasStatus('PNConnectedCategory'))),
    describe(customerEvents.statuses.map((s) => s.category)));

  // A wildcard subscriber, and one with a server-side filter on the publish meta.
  const wild = makeClient(`${run}-wild`);
  const wildEvents = new Recorder();
  wild.addListener(wildEvents.listener());
  wild.subscribe({ channels: [`${run}.*`] });
  const picky = makeClient(`${run}-picky`, { filterExpression: "prio == 'high'" });
  const pickyEvents = new Recorder();
  picky.addListener(pickyEvents.listener());
  picky.subscribe({ channels: [chA, chB] });
  check('subscribe', 'wildcard and filtered subscriptions connect',
    Boolean(await waitFor(() => wildEvents.hasStatus('PNConnectedCategory')
      && pickyEvents.hasStatus('PNConnectedCategory'))),
    describe([...wildEvents.statuses, ...pickyEvents.statuses].map((s) => s.category)));

  // --- publish (GET) and receive through the group ---------------------------
  const published = await attempt('publish', 'publish', () =>
    customer.publish({ channel: chA, message: { text: 'my order is late', n: 1, note: NOTE } }));
  if (published) {
    check('publish', 'publish returns a timetoken', /^\d{17}$/.test(String(published.timetoken)),
      describe(published));
    const got = await waitFor(() => agentEvents.messages.find((m) => m.channel === chA));
    if (check('subscribe', 'group subscriber receives the message', Boolean(got),
      describe(agentEvents.messages))) {
      check('subscribe', 'message payload (with non-ASCII text)',
        got.message?.text === 'my order is late' && got.message?.note === NOTE, describe(got));
      check('subscribe', 'message publisher', got.publisher === customerId, describe(got));
      check('subscribe', 'message subscription is the group', got.subscription === group, describe(got));
      check('subscribe', 'message timetoken equals the publish timetoken',
        String(got.timetoken) === String(published.timetoken), describe(got));
    }
    const viaWildcard = await waitFor(() => wildEvents.messages.find((m) => m.channel === chA));
    check('subscribe', 'wildcard subscriber receives the message with the pattern as subscription',
      viaWildcard?.subscription === `${run}.*`, describe(wildEvents.messages));
  }

  // --- publish (POST, deflate-compressed) with meta and a custom message type ---
  const withMeta = await attempt('publish', 'publish with meta (POST)', () =>
    customer.publish({
      channel: chB,
      message: { text: 'with meta', url: 'https://example.com/a%2Fb?x=1' },
      meta: { prio: 'high' },
      customMessageType: 'chat-msg',
      sendByPost: true,
    }));
  if (withMeta) {
    const got = await waitFor(() => agentEvents.messages.find((m) => m.channel === chB));
    if (check('subscribe', 'group subscriber receives the POST message', Boolean(got),
      describe(agentEvents.messages))) {
      check('subscribe', 'meta delivered as userMetadata', got.userMetadata?.prio === 'high', describe(got));
      check('subscribe', 'customMessageType delivered', got.customMessageType === 'chat-msg', describe(got));
      check('subscribe', 'payload survives POST', got.message?.url === 'https://example.com/a%2Fb?x=1',
        describe(got));
    }
    const direct = await waitFor(() => customerEvents.messages.find((m) => m.channel === chB));
    if (check('subscribe', 'direct subscriber receives the message', Boolean(direct),
      describe(customerEvents.messages))) {
      check('subscribe', 'direct subscription is the channel', direct.subscription === chB,
        describe(direct));
    }
    const matching = await waitFor(() => pickyEvents.messages.find((m) => m.channel === chB));
    check('filter', 'filtered subscriber receives the message whose meta matches', Boolean(matching),
      describe(pickyEvents.messages));
    check('filter', 'filtered subscriber does not receive the message without meta',
      !pickyEvents.messages.some((m) => m.channel === chA), describe(pickyEvents.messages));
  }
  picky.unsubscribeAll();
  wild.unsubscribeAll();

  // Not stored: delivered live only.
  await attempt('publish', 'publish with storeInHistory false', () =>
    customer.publish({ channel: chA, message: { text: 'ephemeral' }, storeInHistory: false }));
  await attempt('publish', 'fire', () => customer.fire({ channel: chA, message: { text: 'fired' } }));

  // --- signal ----------------------------------------------------------------
  const signalled = await attempt('signal', 'signal', () =>
    customer.signal({ channel: chA, message: 'typing' }));
  if (signalled) {
    const got = await waitFor(() => agentEvents.signals.find((s) => s.channel === chA));
    if (check('signal', 'group subscriber receives the signal', Boolean(got), describe(agentEvents.signals))) {
      check('signal', 'signal payload and publisher', got.message === 'typing' && got.publisher === customerId,
        describe(got));
      check('signal', 'signal subscription is the group', got.subscription === group, describe(got));
    }
  }

  // --- errors come back as PubNub errors with their status -------------------
  try {
    await customer.publish({ channel: chA, message: { blob: 'x'.repeat(40 * 1024) } });
    check('errors', 'oversized publish is refused', false, 'publish succeeded');
  } catch (error) {
    check('errors', 'oversized publish is refused with 413', error.status?.statusCode === 413,
      errorDetail(error));
  }
  try {
    await customer.publish({ channel: chA, message: 'x', customMessageType: 'pn-reserved' });
    check('errors', 'invalid custom message type is refused', false, 'publish succeeded');
  } catch (error) {
    check('errors', 'invalid custom message type is a 400 bad request',
      error.status?.statusCode === 400 && error.status?.category === 'PNBadRequestCategory',
      errorDetail(error));
  }

  // --- history: fetchMessages ------------------------------------------------
  const single = await attempt('history', 'fetchMessages (one channel)', () =>
    agent.fetchMessages({ channels: [chA], includeMeta: true, stringifiedTimeToken: true }));
  if (single) {
    const items = single.channels?.[chA] ?? [];
    check('history', 'one-channel fetch returns the message and not the signal', items.length === 1,
      describe(single));
    const [item] = items;
    if (item) {
      check('history', 'fetched message payload', item.message?.text === 'my order is late'
        && item.message?.note === NOTE, describe(item));
      check('history', 'fetched message uuid (include_uuid default)', item.uuid === customerId, describe(item));
      check('history', 'fetched message timetoken', published && String(item.timetoken) === String(published.timetoken),
        describe(item));
      check('history', 'fetched message messageType', item.messageType === -1 || item.messageType === 0
        || item.messageType === null, describe(item));
    }
  }
  const multi = await attempt('history', 'fetchMessages (two channels)', () =>
    agent.fetchMessages({ channels: [chA, chB], includeMeta: true, includeCustomMessageType: true, count: 10 }));
  if (multi) {
    const a = multi.channels?.[chA] ?? [];
    const b = multi.channels?.[chB] ?? [];
    check('history', 'multi-channel fetch returns both channels', a.length === 1 && b.length === 1,
      describe(multi));
    if (b[0]) {
      check('history', 'fetched meta', b[0].meta?.prio === 'high', describe(b[0]));
      check('history', 'fetched customMessageType', b[0].customMessageType === 'chat-msg', describe(b[0]));
      check('history', 'fetched publisher', b[0].uuid === customerId, describe(b[0]));
    }
  }
  const legacy = await attempt('history', 'history (v2)', () =>
    agent.history({ channel: chB, includeMeta: true, stringifiedTimeToken: true }));
  if (legacy) {
    const [entry] = legacy.messages ?? [];
    check('history', 'history v2 returns the message with meta', legacy.messages?.length === 1
      && entry.entry?.text === 'with meta' && entry.meta?.prio === 'high', describe(legacy));
    check('history', 'history v2 stringifiedTimeToken keeps the exact timetoken',
      withMeta && entry && entry.timetoken === String(withMeta.timetoken), describe(legacy));
  }
  if (published) {
    const caughtUp = makeClient(`${run}-late`);
    const lateEvents = new Recorder();
    caughtUp.addListener(lateEvents.listener());
    const resumeFrom = (BigInt(published.timetoken) - 1n).toString();
    caughtUp.subscribe({ channels: [chA], timetoken: resumeFrom });
    const resumed = await waitFor(() => lateEvents.messages.find((m) => m.channel === chA));
    check('subscribe', 'subscribe with a timetoken catches up on earlier messages',
      resumed?.message?.text === 'my order is late', describe(lateEvents.messages));
    caughtUp.unsubscribeAll();

    const paged = await attempt('history', 'fetchMessages with start/end', () =>
      agent.fetchMessages({ channels: [chA], end: String(published.timetoken), count: 5 }));
    if (paged) check('history', 'end is inclusive', (paged.channels?.[chA] ?? []).length === 1, describe(paged));
  }

  // --- history: messageCounts ------------------------------------------------
  const before = time ? String(time.timetoken) : '1';
  const counts = await attempt('history', 'messageCounts (per-channel timetokens)', () =>
    agent.messageCounts({ channels: [chA, chB], channelTimetokens: [before, before] }));
  if (counts) {
    check('history', 'messageCounts per channel', counts.channels?.[chA] === 1 && counts.channels?.[chB] === 1,
      describe(counts));
  }
  if (published) {
    const after = await attempt('history', 'messageCounts (one timetoken)', () =>
      agent.messageCounts({ channels: [chA], channelTimetokens: [String(published.timetoken)] }));
    if (after) check('history', 'messageCounts counts strictly newer messages', after.channels?.[chA] === 0,
      describe(after));
    const single = await attempt('history', 'messageCounts (timetoken)', () =>
      agent.messageCounts({ channels: [chA], timetoken: before }));
    if (single) check('history', 'messageCounts with a single timetoken', single.channels?.[chA] === 1,
      describe(single));
  }

  // --- presence: join events and here-now ------------------------------------
  const join = await waitFor(() => agentEvents.presence.find(
    (p) => p.action === 'join' && p.uuid === customerId && p.channel === chB));
  if (check('presence', 'group presence subscriber sees the customer join chB', Boolean(join),
    describe(agentEvents.presence))) {
    check('presence', 'join event carries occupancy', typeof join.occupancy === 'number', describe(join));
    check('presence', 'join event subscription is the group presence', join.subscription === `${group}-pnpres`,
      describe(join));
  }
  const hereNow = await attempt('presence', 'hereNow', () =>
    agent.hereNow({ channels: [chB], includeUUIDs: true }));
  if (hereNow) {
    const entry = hereNow.channels?.[chB];
    const uuids = (entry?.occupants ?? []).map((o) => o.uuid);
    check('presence', 'hereNow lists the customer on chB', uuids.includes(customerId), describe(hereNow));
    check('presence', 'hereNow occupancy matches occupants', entry && entry.occupancy === uuids.length,
      describe(hereNow));
  }
  const hereNowGroup = await attempt('presence', 'hereNow (channel group)', () =>
    agent.hereNow({ channelGroups: [group], includeUUIDs: true }));
  if (hereNowGroup) {
    const uuids = (hereNowGroup.channels?.[chA]?.occupants ?? []).map((o) => o.uuid);
    check('presence', 'hereNow through the group lists the agent on chA', uuids.includes(agentId),
      describe(hereNowGroup));
  }

  // --- unsubscribe -----------------------------------------------------------
  customer.unsubscribe({ channels: [chB] });
  const leave = await waitFor(() => agentEvents.presence.find(
    (p) => p.action === 'leave' && p.uuid === customerId && p.channel === chB));
  check('presence', 'group presence subscriber sees the customer leave chB', Boolean(leave),
    describe(agentEvents.presence.map((p) => [p.action, p.uuid, p.channel])));

  agent.unsubscribeAll();
  await sleep(300);
  const seen = agentEvents.messages.length;
  await attempt('unsubscribe', 'publish after unsubscribe', () =>
    customer.publish({ channel: chA, message: { text: 'nobody listens' } }));
  await sleep(800);
  check('unsubscribe', 'no delivery after unsubscribeAll', agentEvents.messages.length === seen,
    describe(agentEvents.messages.slice(seen)));

  // --- clean-up calls --------------------------------------------------------
  await attempt('history', 'deleteMessages', () => agent.deleteMessages({ channel: chA }));
  const emptied = await attempt('history', 'fetchMessages after delete', () =>
    agent.fetchMessages({ channels: [chA] }));
  if (emptied) check('history', 'deleteMessages empties the channel', (emptied.channels?.[chA] ?? []).length === 0,
    describe(emptied));
  await attempt('groups', 'deleteGroup', () => agent.channelGroups.deleteGroup({ channelGroup: group }));
  const gone = await attempt('groups', 'listChannels after delete', () =>
    agent.channelGroups.listChannels({ channelGroup: group }));
  if (gone) check('groups', 'deleted group has no channels', (gone.channels ?? []).length === 0, describe(gone));

  const errors = clientsEvents().flatMap((r) => r.statuses).filter((s) => s.error);
  check('subscribe', 'no error statuses during the run', errors.length === 0,
    describe(errors.map((s) => ({ category: s.category, operation: s.operation, errorData: s.errorData }))));
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
