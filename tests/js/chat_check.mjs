// A small customer app on PubNub's Chat SDK (@pubnub/chat, which brings its own
// pubnub 11.x) against local_pubnub, unchanged.
//
//   node chat_check.mjs HOST:PORT SECRET_KEY
//
// Two users (a customer and an agent) go through a direct conversation, join, send,
// typing, reactions, edit, soft and hard delete, threads, unread counts, read
// receipts, members, restrictions (an admin client with the secret key) and files.
// Prints `FAIL [area] name: detail` per failed check and `chat sdk: K/N checks`.

import { Chat } from '@pubnub/chat';

const [origin, secretKey] = process.argv.slice(2);
if (!origin || !secretKey) {
  console.error('usage: node chat_check.mjs HOST:PORT SECRET_KEY');
  process.exit(64);
}
let passed = 0;
let total = 0;
const chats = [];
const timer = setTimeout(() => finish('FAIL [run] timed out after 45 s'), 45000);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const show = (value) => { try { return JSON.stringify(value); } catch { return String(value); } };

function check(area, name, ok, detail = '') {
  total += 1;
  if (ok) passed += 1;
  else console.log(`FAIL [${area}] ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

async function attempt(area, name, fn) {
  try {
    return await fn();
  } catch (error) {
    check(area, name, false, `${error?.message ?? error} ${show(error?.status?.errorData ?? '')}`);
    return undefined;
  }
}

async function waitFor(predicate, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) return undefined;
    await sleep(50);
  }
}

function finish(reason) {
  clearTimeout(timer);
  if (reason) console.log(reason);
  console.log(`chat sdk: ${passed}/${total} checks`);
  for (const chat of chats) chat.sdk.destroy(true);
  process.exit(passed === total && total > 0 ? 0 : 1);
}

async function login(userId, extra = {}) {
  const chat = await Chat.init({ publishKey: 'pub-c-chat', subscribeKey: 'sub-c-chat', userId,
    origin, ssl: false, typingTimeout: 3000, storeUserActivityTimestamps: false, ...extra });
  chats.push(chat);
  return chat;
}

async function main() {
  const run = Date.now().toString(36);
  const customer = await login(`cust-${run}`);
  const agent = await login(`agent-${run}`);
  const admin = await login(`admin-${run}`, { secretKey });
  await customer.currentUser.update({ name: 'Dana R', email: 'dana@example.invalid' });

  // direct conversation and join ------------------------------------------------
  const agentUser = await agent.getUser(agent.currentUser.id);
  const direct = await attempt('conversation', 'createDirectConversation', () =>
    customer.createDirectConversation({ user: agentUser, channelData: { name: 'Order 7' } }));
  if (!check('conversation', 'direct conversation made', Boolean(direct?.channel))) return;
  const channelId = direct.channel.id;
  const agentChannel = await agent.getChannel(channelId);
  const received = [];
  agentChannel.onMessageReceived((message) => received.push(message));
  const joined = await attempt('members', 'agent joins', () => agentChannel.join());
  check('members', 'join gives a membership', Boolean(joined?.channel?.id === channelId));
  const members = await attempt('members', 'getMembers', () => direct.channel.getMembers());
  check('members', 'both users are members', members?.members?.length === 2, show(members?.total));
  await sleep(300);

  // typing ------------------------------------------------------------------------
  let typing = [];
  agentChannel.onTypingChanged((ids) => { typing = ids; });
  await attempt('typing', 'startTyping', () => direct.channel.startTyping());
  check('typing', 'agent sees the customer typing',
    Boolean(await waitFor(() => typing.includes(customer.currentUser.id))), show(typing));

  // send, reactions, edit, delete ---------------------------------------------------
  await attempt('messages', 'sendText', () => direct.channel.sendText('my parcel is late'));
  const first = await waitFor(() => received.find((m) => m.text === 'my parcel is late'));
  check('messages', 'agent receives the text', Boolean(first), show(received.map((m) => m.text)));
  if (!first) return;
  const reacted = await attempt('reactions', 'toggleReaction', () => first.toggleReaction('👍'));
  check('reactions', 'reaction recorded', reacted?.reactions?.[0]?.value === '👍' ||
    Boolean(reacted?.reactions?.['👍']), show(reacted?.reactions));
  const mine = await attempt('edit', 'getMessage', () => direct.channel.getMessage(first.timetoken));
  const edited = await attempt('edit', 'editText', () => mine.editText('my parcel is very late'));
  check('edit', 'edited text', edited?.text === 'my parcel is very late', edited?.text);
  const softDeleted = await attempt('delete', 'soft delete', () => edited.delete({ soft: true }));
  check('delete', 'soft delete marks it deleted', softDeleted?.deleted === true);
  await attempt('messages', 'second sendText', () => direct.channel.sendText('second'));
  const second = await waitFor(() => received.find((m) => m.text === 'second'));
  if (second) {
    const ownSecond = await direct.channel.getMessage(second.timetoken);
    await attempt('delete', 'hard delete', () => ownSecond.delete());
    const history = await attempt('delete', 'getHistory', () => direct.channel.getHistory());
    check('delete', 'hard delete removes it from history',
      history && !history.messages.some((m) => m.timetoken === second.timetoken),
      show(history?.messages.map((m) => m.text)));
  }

  // threads ---------------------------------------------------------------------------
  const parent = await attempt('threads', 'sendText for a thread', async () => {
    await direct.channel.sendText('question with a thread');
    return waitFor(() => received.find((m) => m.text === 'question with a thread'));
  });
  if (parent) {
    const thread = await attempt('threads', 'createThread', () => parent.createThread('in the thread'));
    const threadChannel = thread?.threadChannel ?? thread;
    const replies = threadChannel && await attempt('threads', 'thread getHistory', () =>
      waitFor(async () => { const h = await threadChannel.getHistory(); return h.messages.length ? h : null; }));
    check('threads', 'thread holds the reply', replies?.messages?.[0]?.text === 'in the thread',
      show(replies?.messages?.map((m) => m.text)));
    const parentAgain = await direct.channel.getMessage(parent.timetoken);
    check('threads', 'parent knows it has a thread', parentAgain?.hasThread === true);
  }

  // unread counts and read receipts ----------------------------------------------------
  const unread = await attempt('unread', 'getUnreadMessagesCounts', () => agent.getUnreadMessagesCounts());
  const mineUnread = unread?.find?.((u) => u.channel.id === channelId);
  check('unread', 'agent has unread messages', (mineUnread?.count ?? 0) > 0, show(unread?.map?.((u) => u.count)));
  const membership = await agent.currentUser.getMembership(channelId);
  const last = await waitFor(() => received.at(-1));
  await attempt('receipts', 'setLastReadMessage', () => membership.setLastReadMessage(last));
  const receipts = await attempt('receipts', 'fetchReadReceipts', () => direct.channel.fetchReadReceipts());
  check('receipts', 'receipt names the agent', show(receipts).includes(agent.currentUser.id), show(receipts));
  const after = await agent.getUnreadMessagesCounts();
  check('unread', 'reading clears the count', !after.some((u) => u.channel.id === channelId && u.count > 0),
    show(after.map((u) => u.count)));

  // restrictions (admin with the secret key) ----------------------------------------------
  await attempt('restrictions', 'setRestrictions mute', () =>
    admin.setRestrictions(customer.currentUser.id, channelId, { mute: true, reason: 'test' }));
  const customerUser = await admin.getUser(customer.currentUser.id);
  const adminChannel = await admin.getChannel(channelId);
  const restriction = await attempt('restrictions', 'getChannelRestrictions', () =>
    customerUser.getChannelRestrictions(adminChannel));
  check('restrictions', 'customer is muted', restriction?.mute === true, show(restriction));

  // files ---------------------------------------------------------------------------------
  await attempt('files', 'sendTextLegacy with a file', () => direct.channel.sendTextLegacy('receipt attached', {
    files: [{ data: Buffer.from('receipt 7'), name: 'receipt.txt', mimeType: 'text/plain' }] }));
  const withFile = await waitFor(() => received.find((m) => m.text === 'receipt attached'));
  check('files', 'message carries the file', withFile?.files?.[0]?.name === 'receipt.txt', show(withFile?.files));
  const files = await attempt('files', 'getFiles', () => direct.channel.getFiles());
  check('files', 'getFiles lists it', files?.files?.some((f) => f.name === 'receipt.txt'), show(files));
}

main().then(() => finish()).catch((error) => {
  total += 1;
  finish(`FAIL [run] ${error?.stack ?? error} ${show(error?.status ?? {})}`);
});
