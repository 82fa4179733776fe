// webcrypto.mjs - what Fedify takes for granted from Node 20 on, for the
// Node 18 that Debian 12 ships: the Web Crypto API and its CryptoKey class
// as globals. Imported by peer.mjs before Fedify.
import { webcrypto } from "node:crypto";

if (!globalThis.crypto) globalThis.crypto = webcrypto;
if (!globalThis.CryptoKey) globalThis.CryptoKey = webcrypto.CryptoKey;
