// A Chat SDK customer (@pubnub/chat) who writes in threads and marks what they read,
// in a direct conversation with the console's support user; driven one command per
// stdin line by a Python test, each answer one JSON line (as chat_customer.mjs).
//
//   node chat_thread_customer.mjs HOST:PORT PUBLISH_KEY SUBSCRIBE_KEY USER_ID SUPPORT_ID GROUP
//
// Prints {"ready": CHANNEL} once the conversation exists and is in GROUP. Commands:
//   send TEXT | thread TT TEXT (a new thread, its first reply) | reply TT TEXT (in it)
//   listen TT (follow the thread live) | heard (what arrived live in followed threads)
//   history TT (thread.getHistory()) | hasThread TT | markRead | readAt TT

import { createInterface } from 'node:readline';
import { Chat } from '@pubnub/chat';

const [origin, publishKey, subscribeKey, userId, supportId, group] = process.argv.slice(2);
const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const rest = (words, from) => words.slice(from).join(' ');

const chat = await Chat.init({ publishKey, subscribeKey, userId, origin, ssl: false,
  typingTimeout: 3000, storeUserActivityTimestamps: false });
await chat.currentUser.update({ name: 'Hana Sato' });
const support = (await chat.getUser(supportId)) ?? (await chat.createUser(supportId, { name: 'Support' }));
const { channel } = await chat.createDirectConversation({ user: support, channelData: { name: 'Help' } });
await chat.sdk.channelGroups.addChannels({ channelGroup: group, channels: [channel.id] });
await new Promise((resolve) => setTimeout(resolve, 300));
say({ ready: channel.id });

const message = async (tt) => {
  const found = await channel.getMessage(tt);
  if (!found) throw new Error(`no message at ${tt}`);
  return found;
};
const thread = async (tt) => (await message(tt)).getThread();
const plain = (m) => ({ text: m.text, userId: m.userId, timetoken: String(m.timetoken),
  parentChannelId: m.parentChannelId });
const heard = [];
const stops = [];

const commands = {
  send: async (w) => ({ timetoken: String((await channel.sendText(rest(w, 1))).timetoken) }),
  thread: async (w) => {
    const made = await (await message(w[1])).createThread(rest(w, 2));
    return { thread: (made?.threadChannel ?? made)?.id };
  },
  reply: async (w) => ({ timetoken: String((await (await thread(w[1])).sendText(rest(w, 2))).timetoken) }),
  listen: async (w) => {
    const followed = await thread(w[1]);
    stops.push(followed.onThreadMessageReceived((m) => heard.push(plain(m))));
    await new Promise((resolve) => setTimeout(resolve, 500)); // the subscribe is on
    return { thread: followed.id, parentChannelId: followed.parentChannelId };
  },
  heard: async () => ({ heard }),
  history: async (w) => {
    const { messages, isMore } = await (await thread(w[1])).getHistory({ count: 50 });
    return { messages: messages.map(plain), isMore };
  },
  hasThread: async (w) => ({ hasThread: (await message(w[1])).hasThread }),
  markRead: async () => { await chat.markAllMessagesAsRead(); return {}; },
  readAt: async (w) => {
    const { memberships } = await chat.currentUser.getMemberships({ filter: `channel.id == '${channel.id}'` });
    const updated = await memberships[0].setLastReadMessageTimetoken(w[1]);
    return { lastReadMessageTimetoken: String(updated.lastReadMessageTimetoken) };
  },
};

for await (const line of createInterface({ input: process.stdin })) {
  const words = line.trim().split(' ');
  if (!words[0]) continue;
  if (words[0] === 'quit') break;
  try {
    say({ ok: await commands[words[0]](words) });
  } catch (error) {
    say({ error: `${error?.message ?? error}` });
  }
}
for (const stop of stops) stop();
chat.sdk.destroy(true);
process.exit(0);
