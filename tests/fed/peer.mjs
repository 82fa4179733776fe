// peer.mjs - a real ActivityPub server for tests/http/test_fediverse.py,
// built on Fedify (@fedify/fedify 1.x, pinned in tests/package.json). It
// runs on loopback over http (allowPrivateAddress: Quire is on
// 127.0.0.1 too) with one actor, "reader", and a shared inbox.
//
// Everything Fedify's inbox takes in has passed its own HTTP Signature
// check (it refuses the rest); the peer also checks each POST itself
// with Fedify's verifyRequest() and records whose key signed it.
//
// Control, for the test (JSON):
//   GET  /control/received            what the inboxes took in, in order
//   GET  /control/wait?type=T&object=URL&timeout=MS
//                                     the first such activity, waiting for
//                                     it (404 when none came in time)
//   POST /control/follow {"actor"}    look the actor up (its URL, directly:
//                                     acct: lookups would use https) and
//                                     send it a Follow; {"ok", "error"}
//   POST /control/forge {"inbox", "object", "mode"}
//                                     POST a Follow of object to inbox,
//                                     signed as mode says: "good",
//                                     "bad-key", "tampered", "stale",
//                                     "replay" (the same request twice);
//                                     {"statuses": [...]}
//   POST /control/reply {"actor", "inReplyTo", "content"}
//                                     send the actor a Create of a public
//                                     Note answering inReplyTo;
//                                     {"ok", "note", "error"}
// On start it prints one line: {"port": N, "actor": URL}.
import "./webcrypto.mjs";
import http from "node:http";
import {
  Accept, Create, Delete, Endpoints, Follow, MemoryKvStore, Note, PUBLIC_COLLECTION, Person,
  Undo, Update,
  createFederation, generateCryptoKeyPair, getDocumentLoader, signRequest, verifyRequest,
} from "@fedify/fedify";

const federation = createFederation({ kv: new MemoryKvStore(), allowPrivateAddress: true });
const documentLoader = getDocumentLoader({ allowPrivateAddress: true });
const keys = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
const received = [];
const waiters = new Set();

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== "reader") return null;
    const pairs = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: "A Fedify reader",
      inbox: ctx.getInboxUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: pairs[0].cryptographicKey,
    });
  })
  .setKeyPairsDispatcher(async (_ctx, identifier) => (identifier === "reader" ? [keys] : []));

// ctx.data is the request's: which key verifyRequest() found signed it.
function record(ctx, kind, activity, object) {
  const entry = {
    type: kind,
    id: activity.id?.href ?? null,
    actor: activity.actorId?.href ?? null,
    object: object,
    signed_by: ctx.data?.signer ?? null,
  };
  received.push(entry);
  for (const w of [...waiters]) w();
}

async function objectOf(activity) {
  const o = await activity.getObject({ documentLoader });
  if (o == null) return { id: activity.objectId?.href ?? null };
  return {
    id: o.id?.href ?? null,
    type: o.constructor.name,
    name: o.name?.toString() ?? null,
    summary: o.summary?.toString() ?? null,
    content: o.content?.toString() ?? null,
    sensitive: o.sensitive ?? null,
    url: o.url?.href ?? null,
    attributedTo: o.attributionId?.href ?? null,
  };
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  .on(Accept, async (ctx, a) => record(ctx, "Accept", a, { id: a.objectId?.href ?? null }))
  .on(Create, async (ctx, a) => record(ctx, "Create", a, await objectOf(a)))
  .on(Update, async (ctx, a) => record(ctx, "Update", a, await objectOf(a)))
  .on(Delete, async (ctx, a) => record(ctx, "Delete", a, { id: a.objectId?.href ?? null }))
  .on(Undo, async (ctx, a) => record(ctx, "Undo", a, { id: a.objectId?.href ?? null }));

function matches(e, type, object) {
  return e.type === type && (!object || (e.object && e.object.id === object));
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks);
}

function reply(res, status, obj) {
  const body = JSON.stringify(obj);
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(body);
}

// A Follow of object from our actor, as a Request to inbox.
function followRequest(origin, inbox, object, n) {
  const actor = `${origin}/users/reader`;
  const body = JSON.stringify({
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${origin}/forged/${Date.now()}-${n}-${Math.random().toString(16).slice(2)}`,
    type: "Follow", actor, object,
  });
  return new Request(inbox, {
    method: "POST", body,
    headers: { "Content-Type": "application/activity+json", Accept: "application/activity+json" },
  });
}

async function send(r) {
  const res = await fetch(r);
  return res.status;
}

async function forge(origin, { inbox, object, mode }) {
  const keyId = new URL(`${origin}/users/reader#main-key`);
  if (mode === "good") {
    return [await send(await signRequest(followRequest(origin, inbox, object, 0), keys.privateKey, keyId))];
  }
  if (mode === "bad-key") {
    const other = await generateCryptoKeyPair("RSASSA-PKCS1-v1_5");
    return [await send(await signRequest(followRequest(origin, inbox, object, 1), other.privateKey, keyId))];
  }
  if (mode === "tampered") {
    const signed = await signRequest(followRequest(origin, inbox, object, 2), keys.privateKey, keyId);
    const text = (await signed.text()).replace("Follow", "Follow ");
    return [await send(new Request(inbox, { method: "POST", headers: signed.headers, body: text }))];
  }
  if (mode === "stale") {
    const r = followRequest(origin, inbox, object, 3);
    r.headers.set("Date", new Date(Date.now() - 13 * 3600 * 1000).toUTCString());
    return [await send(await signRequest(r, keys.privateKey, keyId))];
  }
  if (mode === "replay") {
    const signed = await signRequest(followRequest(origin, inbox, object, 4), keys.privateKey, keyId);
    const body = await signed.clone().text();
    const out = [];
    for (let i = 0; i < 2; i++)
      out.push(await send(new Request(inbox, { method: "POST", headers: signed.headers, body })));
    return out;
  }
  throw new Error("unknown mode " + mode);
}

async function control(req, res, url, body, origin) {
  if (url.pathname === "/control/received") return reply(res, 200, received);
  if (url.pathname === "/control/wait") {
    const type = url.searchParams.get("type");
    const object = url.searchParams.get("object");
    const timeout = Number(url.searchParams.get("timeout") ?? "30000");
    const found = () => received.find((e) => matches(e, type, object));
    if (found()) return reply(res, 200, found());
    let done;
    const w = () => { if (found()) done(); };
    const timer = new Promise((r) => setTimeout(r, timeout));
    await Promise.race([new Promise((r) => { done = r; waiters.add(w); }), timer]);
    waiters.delete(w);
    return found() ? reply(res, 200, found()) : reply(res, 404, { error: "nothing came" });
  }
  const args = body.length ? JSON.parse(body.toString()) : {};
  if (url.pathname === "/control/follow") {
    const ctx = federation.createContext(new URL(origin), {});
    try {
      const target = await ctx.lookupObject(args.actor, { documentLoader });
      if (target == null) return reply(res, 200, { ok: false, error: "not found: " + args.actor });
      const follow = new Follow({
        id: new URL(`${origin}/follows/${Date.now()}`),
        actor: ctx.getActorUri("reader"),
        object: target.id,
      });
      await ctx.sendActivity({ identifier: "reader" }, target, follow);
      return reply(res, 200, { ok: true, follow: follow.id.href });
    } catch (e) {
      return reply(res, 200, { ok: false, error: String(e) });
    }
  }
  if (url.pathname === "/control/reply") {
    const ctx = federation.createContext(new URL(origin), {});
    try {
      const target = await ctx.lookupObject(args.actor, { documentLoader });
      if (target == null) return reply(res, 200, { ok: false, error: "not found: " + args.actor });
      const id = new URL(`${origin}/notes/${Date.now()}-${Math.random().toString(36).slice(2)}`);
      const note = new Note({
        id, attribution: ctx.getActorUri("reader"), content: args.content,
        replyTarget: new URL(args.inReplyTo), to: PUBLIC_COLLECTION,
      });
      const create = new Create({
        id: new URL(id.href + "/activity"), actor: ctx.getActorUri("reader"), object: note,
        to: PUBLIC_COLLECTION,
      });
      await ctx.sendActivity({ identifier: "reader" }, target, create);
      return reply(res, 200, { ok: true, note: id.href });
    } catch (e) {
      return reply(res, 200, { ok: false, error: String(e) });
    }
  }
  if (url.pathname === "/control/forge") {
    try {
      return reply(res, 200, { statuses: await forge(origin, args) });
    } catch (e) {
      return reply(res, 500, { error: String(e) });
    }
  }
  return reply(res, 404, { error: "no such control" });
}

const server = http.createServer(async (req, res) => {
  try {
    const origin = `http://${req.headers.host}`;
    const url = new URL(req.url, origin);
    const body = await readBody(req);
    if (url.pathname.startsWith("/control/")) return await control(req, res, url, body, origin);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
    const init = { method: req.method, headers };
    if (req.method !== "GET" && req.method !== "HEAD") init.body = body;
    const request = new Request(url, init);
    let signer = null;
    if (req.method === "POST") {
      const key = await verifyRequest(request.clone(), { documentLoader });
      signer = key?.id?.href ?? null;
    }
    const response = await federation.fetch(request, { contextData: { signer } });
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(out);
  } catch (e) {
    res.writeHead(500, { "Content-Type": "text/plain" });
    res.end(String(e));
  }
});

server.listen(0, "127.0.0.1", () => {
  const port = server.address().port;
  process.stdout.write(JSON.stringify({ port, actor: `http://127.0.0.1:${port}/users/reader` }) + "\n");
});
