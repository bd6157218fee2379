// The offline card verifier: CBOR, base45 and COSE_Sign1 checked with WebCrypto (ES256).
// Once the trust bundle is loaded (and kept in localStorage) no server is needed.
"use strict";

const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

function base45Decode(text) {
  const out = [];
  for (let i = 0; i < text.length; i += 3) {
    const chunk = text.slice(i, i + 3);
    const values = [...chunk].map((c) => {
      const v = B45.indexOf(c);
      if (v < 0) throw new Error("base45: bad character");
      return v;
    });
    if (values.length === 1) throw new Error("base45: truncated");
    let n = values[0] + values[1] * 45 + (values.length === 3 ? values[2] * 2025 : 0);
    if (values.length === 3) {
      if (n > 0xffff) throw new Error("base45: overflow");
      out.push(n >> 8, n & 0xff);
    } else {
      if (n > 0xff) throw new Error("base45: overflow");
      out.push(n);
    }
  }
  return new Uint8Array(out);
}

class Tagged { constructor(tag, value) { this.tag = tag; this.value = value; } }

function cborDecode(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  function need(n) { if (pos + n > bytes.length) throw new Error("cbor: truncated"); }
  function length(info) {
    if (info < 24) return info;
    if (info === 24) { need(1); return bytes[pos++]; }
    if (info === 25) { need(2); const v = view.getUint16(pos); pos += 2; return v; }
    if (info === 26) { need(4); const v = view.getUint32(pos); pos += 4; return v; }
    if (info === 27) { need(8); const v = Number(view.getBigUint64(pos)); pos += 8; return v; }
    throw new Error("cbor: indefinite lengths are not used");
  }
  function item() {
    need(1);
    const first = bytes[pos++];
    const major = first >> 5, info = first & 31;
    switch (major) {
      case 0: return length(info);
      case 1: return -1 - length(info);
      case 2: { const n = length(info); need(n); const v = bytes.slice(pos, pos + n); pos += n; return v; }
      case 3: { const n = length(info); need(n); const v = new TextDecoder().decode(bytes.slice(pos, pos + n)); pos += n; return v; }
      case 4: { const n = length(info); const a = []; for (let i = 0; i < n; i++) a.push(item()); return a; }
      case 5: { const n = length(info); const m = new Map(); for (let i = 0; i < n; i++) { const k = item(); m.set(k, item()); } return m; }
      case 6: { const tag = length(info); return new Tagged(tag, item()); }
      case 7:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22 || info === 23) return null;
        if (info === 25) { need(2); const v = view.getFloat16 ? view.getFloat16(pos) : NaN; pos += 2; return v; }
        if (info === 26) { need(4); const v = view.getFloat32(pos); pos += 4; return v; }
        if (info === 27) { need(8); const v = view.getFloat64(pos); pos += 8; return v; }
        throw new Error("cbor: unsupported simple value");
    }
    throw new Error("cbor: bad major type");
  }
  const result = item();
  if (pos !== bytes.length) throw new Error("cbor: trailing bytes");
  return result;
}

function bstrHeader(n) {
  if (n < 24) return [0x40 + n];
  if (n < 256) return [0x58, n];
  if (n < 65536) return [0x59, n >> 8, n & 0xff];
  return [0x5a, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

// Sig_structure = ["Signature1", protected, external_aad (empty), payload] (RFC 9052 §4.4)
function sigStructure(prot, payload) {
  const label = new TextEncoder().encode("Signature1");
  const parts = [[0x84, 0x6a], label, bstrHeader(prot.length), prot, [0x40], bstrHeader(payload.length), payload];
  const size = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

function decodeSign1(bytes) {
  let item = cborDecode(bytes);
  if (item instanceof Tagged) {
    if (item.tag !== 18) throw new Error("cose: unexpected tag");
    item = item.value;
  }
  if (!Array.isArray(item) || item.length !== 4) throw new Error("cose: not COSE_Sign1");
  const [prot, , payload, signature] = item;
  if (!(prot instanceof Uint8Array && payload instanceof Uint8Array && signature instanceof Uint8Array)) throw new Error("cose: bad types");
  const header = cborDecode(prot);
  const alg = header.get(1), kid = header.get(4);
  if (alg !== -7 || !(kid instanceof Uint8Array)) throw new Error("cose: ES256 and kid required");
  return { prot, payload, signature, kid: hex(kid) };
}

function hex(bytes) { return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""); }

async function importKey(raw) {
  return crypto.subtle.importKey("raw", raw, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
}

async function verifySign1(sign1, key) {
  if (sign1.signature.length !== 64) return false;
  return crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, key, sign1.signature, sigStructure(sign1.prot, sign1.payload));
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function bit(list, index) { return (list[index >> 3] >> (index & 7)) & 1; }

const MESSAGES = {
  valid: "有效",
  expired: "已过有效期",
  not_yet_valid: "尚未生效",
  window_expired: "动态码已失效（请在手机上刷新后重新出示）",
  revoked: "已注销",
  suspended: "已暂停使用",
  forged: "签名无效：伪造或被篡改的二维码",
  unknown_key: "签发密钥未知或已停用",
  malformed: "无法识别的二维码（不完整或不是人才绿卡）",
  stale_bundle: "本机核验数据已过期，请联网更新后再核验",
  not_entitled: "有效，但本卡在此类网点不享受服务",
};
const KINDS = { bus: 1, subway: 2, scenic: 4, hospital: 8, bank: 16 };
const TIERS = { A: "A卡", B: "B卡", C: "县（市、区）卡", F: "副卡" };
const SKEW = 30;

async function loadBundle(raw, rootRaw) {
  const root = await importKey(rootRaw);
  const envelope = decodeSign1(raw);
  const data = cborDecode(envelope.payload);
  const keys = new Map();
  for (const certRaw of data.get("certs")) {
    const cert = decodeSign1(certRaw);
    if (!(await verifySign1(cert, root))) throw new Error("证书的根签名无效");
    const c = cborDecode(cert.payload);
    keys.set(hex(c.get("kid")), { key: await importKey(c.get("key")), verifyUntil: c.get("verify_until") });
  }
  const signer = keys.get(envelope.kid);
  if (!signer || !(await verifySign1(envelope, signer.key))) throw new Error("核验数据签名无效");
  const status = data.get("status");
  return {
    version: data.get("v"),
    issuedAt: data.get("iat"),
    keys,
    size: status.get("size"),
    revoked: await inflate(status.get("revoked")),
    suspended: await inflate(status.get("suspended")),
    points: data.get("points"),
    texts: data.get("texts"),
    tierLabels: data.get("tier_labels") || new Map(),
    counties: data.get("counties"),
  };
}

async function verifyCode(text, bundle, nowSeconds, kind) {
  text = text.trim();
  let envelope, claims, card;
  if (text.length > 2048 || !text.startsWith("RC1:")) return { code: "malformed" };
  try { envelope = decodeSign1(base45Decode(text.slice(4))); } catch (e) { return { code: "malformed" }; }
  const signer = bundle.keys.get(envelope.kid);
  if (!signer || nowSeconds >= signer.verifyUntil) return { code: "unknown_key" };
  if (!(await verifySign1(envelope, signer.key))) return { code: "forged" };
  try { claims = cborDecode(envelope.payload); card = claims.get(-70001); } catch (e) { return { code: "malformed" }; }
  if (!(card instanceof Map)) return { code: "malformed" };
  const info = {
    number: card.get(1), tier: card.get(2), family: card.get(3) === 1, county: card.get(4),
    benefits: card.get(5), index: card.get(6), main: card.get(7), windowEnd: card.get(8),
    from: claims.get(5), until: claims.get(4), issuedAt: claims.get(6),
  };
  let stale = false;
  const rule = bundle.points.get(kind);
  if (nowSeconds - bundle.issuedAt > rule.get("max_age")) {
    if (rule.get("stale") === "refuse") return { code: "stale_bundle", card: info };
    stale = true;
  }
  if (!(info.index >= 0 && info.index < bundle.size)) return { code: "malformed" };
  if (bit(bundle.revoked, info.index)) return { code: "revoked", card: info, stale };
  if (bit(bundle.suspended, info.index)) return { code: "suspended", card: info, stale };
  if (nowSeconds < info.from - SKEW) return { code: "not_yet_valid", card: info, stale };
  if (nowSeconds >= info.until) return { code: "expired", card: info, stale };
  if (info.windowEnd !== undefined && !(info.issuedAt - SKEW <= nowSeconds && nowSeconds <= info.windowEnd + SKEW)) {
    return { code: "window_expired", card: info, stale };
  }
  if (!(info.benefits & KINDS[kind])) return { code: "not_entitled", card: info, stale };
  const grants = (bundle.texts.get(info.tier) || new Map()).get(kind) || [];
  return { code: "valid", card: info, grants, stale };
}

// --- the page -------------------------------------------------------------------------
const STORE = "rencai.verifier.bundle";
const LOG = "rencai.verifier.log";

function b64(bytes) { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); }
function unb64(text) { return Uint8Array.from(atob(text), (c) => c.charCodeAt(0)); }

// the page's CSRF token (uploads are made with the signed-in browser's cookie)
function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

async function fetchBundle(rootRaw) {
  const response = await fetch("/api/v1/cards/trust-bundle", { cache: "no-store" });
  if (!response.ok) throw new Error("HTTP " + response.status);
  const raw = new Uint8Array(await response.arrayBuffer());
  const bundle = await loadBundle(raw, rootRaw);  // refuse to store one that does not verify
  localStorage.setItem(STORE, b64(raw));
  return bundle;
}

function logEvent(result, kind) {
  const log = JSON.parse(localStorage.getItem(LOG) || "[]");
  log.push({
    event_id: crypto.randomUUID().replace(/-/g, ""),
    card_number: result.card && result.card.number ? result.card.number : null,
    verdict: result.code,
    at: new Date().toISOString(),
    kind,
  });
  localStorage.setItem(LOG, JSON.stringify(log));
  return log.length;
}

function render(result, bundle, kind) {
  const box = document.getElementById("verdict");
  const ok = result.code === "valid";
  box.className = "verdict " + (ok ? "ok" : "refused");
  let message = MESSAGES[result.code];
  if (ok && result.stale) message += "（核验数据已过期：已放行并记录，请尽快联网更新）";
  const lines = [`<p class="verdict-title" id="verdict-title">${message}</p>`];
  if (result.card && result.card.number) {
    const c = result.card;
    const county = bundle.counties.get(c.county) || c.county;
    lines.push(`<p>${bundle.tierLabels.get(c.tier) || TIERS[c.tier] || c.tier} · 卡号 ${c.number}${c.family ? ` · 副卡（主卡 ${c.main}）` : " · 主卡"} · ${county}</p>`);
    lines.push(`<p>有效期至 ${new Date(c.until * 1000 - 1000).toLocaleDateString("zh-CN", { timeZone: "Asia/Shanghai" })}${c.windowEnd ? " · 动态码" : " · 静态码"}</p>`);
  }
  if (ok) lines.push("<ul>" + result.grants.map((g) => `<li>${g}</li>`).join("") + "</ul>");
  box.innerHTML = lines.join("");
}

async function main() {
  const root = document.getElementById("verifier");
  const rootRaw = unb64(root.dataset.rootKey);
  const status = document.getElementById("bundle-status");
  let bundle = null;
  try {
    bundle = await fetchBundle(rootRaw);
  } catch (e) {
    const kept = localStorage.getItem(STORE);
    if (kept) {
      try { bundle = await loadBundle(unb64(kept), rootRaw); } catch (e2) { bundle = null; }
    }
  }
  function showStatus() {
    if (!bundle) { status.textContent = "尚未取得核验数据：请联网后刷新本页"; return; }
    const age = Math.round((Date.now() / 1000 - bundle.issuedAt) / 60);
    status.textContent = `核验数据已加载：版本 ${bundle.version}，${bundle.keys.size} 把签发密钥，签发于 ${age} 分钟前`;
    status.dataset.version = bundle.version;
  }
  showStatus();
  const pending = document.getElementById("pending");
  pending.textContent = JSON.parse(localStorage.getItem(LOG) || "[]").length;
  document.getElementById("verify-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!bundle) { showStatus(); return; }
    const kind = document.getElementById("point-kind").value;
    const text = document.getElementById("code").value;
    const result = await verifyCode(text, bundle, Math.floor(Date.now() / 1000), kind);
    render(result, bundle, kind);
    pending.textContent = logEvent(result, kind);
    document.getElementById("code").select();
  });
  document.getElementById("refresh").addEventListener("click", async () => {
    try { bundle = await fetchBundle(rootRaw); } catch (e) { status.textContent = "无法连接服务器，继续使用本机核验数据"; return; }
    showStatus();
  });
  document.getElementById("upload").addEventListener("click", async () => {
    const log = JSON.parse(localStorage.getItem(LOG) || "[]");
    const note = document.getElementById("upload-status");
    if (!log.length) { note.textContent = "没有待上传的记录"; return; }
    try {
      const response = await fetch("/api/v1/cards/uses", {
        method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrfToken() },
        body: JSON.stringify({ events: log.map(({ kind, ...e }) => e) }),
      });
      const body = await response.json();
      if (!response.ok) { note.textContent = body.errors[0].message; return; }
      localStorage.setItem(LOG, "[]");
      pending.textContent = 0;
      note.textContent = `已上传 ${body.stored} 条（重复 ${body.duplicates} 条）`;
    } catch (e) {
      note.textContent = "无法连接服务器，记录保留在本机";
    }
  });
  root.dataset.ready = "1";
}

main();
