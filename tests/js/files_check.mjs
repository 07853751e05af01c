// File Sharing through PubNub's JavaScript SDK against local_pubnub, unchanged.
//
//   node files_check.mjs HOST:PORT [PUBNUB_MODULE]
//
// sendFile (generate upload URL, multipart upload, file message), the file event on a
// subscriber, listFiles, getFileUrl, downloadFile, fetchMessages with the file message,
// deleteFile. Prints `FAIL name: detail` per failed check and `js files: K/N checks`.

import { createRequire } from 'node:module';
import path from 'node:path';

const [origin, modulePath = 'pubnub'] = process.argv.slice(2);
if (!origin) {
  console.error('usage: node files_check.mjs HOST:PORT [PUBNUB_MODULE]');
  process.exit(64);
}
const require = createRequire(import.meta.url);
const loaded = require(modulePath === 'pubnub' ? 'pubnub' : path.resolve(modulePath));
const PubNub = loaded.default ?? loaded;
let passed = 0;
let total = 0;
const clients = [];
const timer = setTimeout(() => finish('FAIL [run] timed out after 30 s'), 30000);

function check(name, ok, detail = '') {
  total += 1;
  if (ok) passed += 1;
  else console.log(`FAIL ${name}${detail ? `: ${detail}` : ''}`);
  return ok;
}

function finish(reason) {
  clearTimeout(timer);
  if (reason) console.log(reason);
  console.log(`js files: ${passed}/${total} checks`);
  for (const client of clients) client.destroy(true);
  process.exit(passed === total && total > 0 ? 0 : 1);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function client(userId) {
  const made = new PubNub({ publishKey: 'pub-c-js-files', subscribeKey: 'sub-c-js-files',
    userId, origin, ssl: false });
  clients.push(made);
  return made;
}

async function main() {
  const channel = `files-${Date.now().toString(36)}`;
  const customer = client('cust-js-files');
  const agent = client('agent-js-files');
  const files = [];
  agent.addListener({ file: (event) => files.push(event) });
  agent.subscribe({ channels: [channel] });
  await sleep(500);

  const content = 'receipt №7 📦';
  const sent = await customer.sendFile({ channel, message: { caption: 'my parcel' },
    meta: { kind: 'photo' }, file: { data: Buffer.from(content), name: 'receipt 7.txt',
      mimeType: 'text/plain' } });
  check('sendFile answers id and name', sent.id && sent.name === 'receipt 7.txt', JSON.stringify(sent));

  for (let i = 0; i < 100 && files.length === 0; i += 1) await sleep(50);
  const event = files[0];
  check('subscriber gets the file event', event && event.file.id === sent.id &&
    event.file.name === 'receipt 7.txt' && event.message?.caption === 'my parcel' &&
    event.publisher === 'cust-js-files', JSON.stringify(event));

  const listed = await agent.listFiles({ channel });
  check('listFiles lists it', listed.data.length === 1 && listed.data[0].id === sent.id &&
    listed.data[0].size === Buffer.byteLength(content), JSON.stringify(listed));

  const url = agent.getFileUrl({ channel, id: sent.id, name: sent.name });
  check('getFileUrl names the file', url.includes(sent.id), url);
  const downloaded = await agent.downloadFile({ channel, id: sent.id, name: sent.name });
  const text = Buffer.from(await downloaded.toArrayBuffer()).toString('utf8');
  check('downloadFile gives the bytes back', text === content, text);

  const history = await agent.fetchMessages({ channels: [channel], includeMeta: true });
  const stored = history.channels?.[channel]?.[0];
  check('history keeps the file message', stored && stored.messageType === 4 &&
    stored.message?.file?.id === sent.id, JSON.stringify(stored));

  await agent.deleteFile({ channel, id: sent.id, name: sent.name });
  const after = await agent.listFiles({ channel });
  check('deleteFile removes it', after.data.length === 0, JSON.stringify(after));
}

main().then(() => finish()).catch((error) => {
  total += 1;
  finish(`FAIL [run] ${error?.stack ?? error} ${JSON.stringify(error?.status ?? {})}`);
});
