// A Chat SDK customer (@pubnub/chat) in a direct conversation with the console's support
// user, driven one command per stdin line by a Python test; each answer is one JSON line.
//
//   node chat_customer.mjs HOST:PORT PUBLISH_KEY SUBSCRIBE_KEY USER_ID SUPPORT_ID GROUP
//
// Prints {"ready": CHANNEL} once the conversation exists and is in GROUP. Commands:
//   send TEXT | edit TT TEXT | delete TT | react TT EMOJI | thread TT TEXT
//   typing on|off | custom JSON | report TT REASON | file NAME TEXT (a text file attached)
//   download FILE_ID NAME (the file's contents as text)
//   typers | receipts | receiptEvents | heard | raw   (what this customer's app saw)

import { createInterface } from 'node:readline';
import { Chat } from '@pubnub/chat';

const [origin, publishKey, subscribeKey, userId, supportId, group] = process.argv.slice(2);
const say = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const rest = (words, from) => words.slice(from).join(' ');

const chat = await Chat.init({ publishKey, subscribeKey, userId, origin, ssl: false,
  typingTimeout: 3000, storeUserActivityTimestamps: false });
await chat.currentUser.update({ name: 'Dana Reyes', email: 'dana@example.invalid' });
const support = (await chat.getUser(supportId)) ?? (await chat.createUser(supportId, { name: 'Support' }));
const { channel } = await chat.createDirectConversation({ user: support, channelData: { name: 'Help' } });
await chat.sdk.channelGroups.addChannels({ channelGroup: group, channels: [channel.id] });
let typers = [];
channel.onTypingChanged((ids) => { typers = ids; });
const raw = [];
chat.sdk.addListener({ signal: (s) => raw.push({ signal: s.message, publisher: s.publisher }) });
const heard = [];
channel.onMessageReceived((m) => heard.push({ text: m.text, userId: m.userId, timetoken: m.timetoken,
  files: m.files }));
const receiptEvents = [];
channel.onReadReceiptReceived((r) => receiptEvents.push(r));
await new Promise((resolve) => setTimeout(resolve, 300));
say({ ready: channel.id });

const message = async (tt) => {
  const found = await channel.getMessage(tt);
  if (!found) throw new Error(`no message at ${tt}`);
  return found;
};

const commands = {
  send: async (w) => ({ timetoken: String((await channel.sendText(rest(w, 1))).timetoken) }),
  edit: async (w) => ({ text: (await (await message(w[1])).editText(rest(w, 2))).text }),
  delete: async (w) => ({ deleted: (await (await message(w[1])).delete({ soft: true })).deleted }),
  react: async (w) => ({ reactions: (await (await message(w[1])).toggleReaction(w[2])).reactions }),
  thread: async (w) => {
    const thread = await (await message(w[1])).createThread(rest(w, 2));
    return { thread: (thread?.threadChannel ?? thread)?.id };
  },
  typing: async (w) => { await (w[1] === 'on' ? channel.startTyping() : channel.stopTyping()); return {}; },
  custom: async (w) => ({ timetoken: String((await channel.emitCustomEvent(JSON.parse(rest(w, 1)))).timetoken) }),
  report: async (w) => { await (await message(w[1])).report(rest(w, 2)); return {}; },
  file: async (w) => ({ timetoken: String((await channel.sendTextLegacy(rest(w, 2), {
    files: [{ data: Buffer.from(`contents of ${w[1]}`), name: w[1], mimeType: 'text/plain' }],
  })).timetoken) }),
  download: async (w) => {
    const file = await chat.sdk.downloadFile({ channel: channel.id, id: w[1], name: rest(w, 2) });
    return { text: (await file.toBuffer()).toString() };
  },
  typers: async () => ({ typers }),
  receipts: async () => (await channel.fetchReadReceipts()),
  raw: async () => ({ raw }),
  heard: async () => ({ heard }),
  receiptEvents: async () => ({ receiptEvents }),
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
chat.sdk.destroy(true);
process.exit(0);
