// A stand-in for the controller's GraphQL API, for developing the web app and running its browser tests without the
// lab: the schema in src/graphql/schema.graphql served over HTTP POST and graphql-transport-ws, with simulated BNGs,
// relays and subscribers. A subscriber "host" waits behind a relay and comes online once a service for its
// identity exists, as a real DHCP client retrying behind an agent would. It also serves web/dist with the
// index.html fallback the controller gives the single-page app.
//
//   node e2e/mock-server.mjs [--port 8090] [--key mock-key] [--sessions 60] [--dist dist]

import { readFileSync, existsSync, statSync, createReadStream } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphQLError, buildSchema, graphql } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';

const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.resolve(here, '..');

/** The identity of the subscriber the browser test provisions: a host behind relay-a1 on bng-1. */
export const E2E_HOST = { bngId: 'bng-1', remoteId: 'relay-a1', circuitId: 'eth0/1/7', relayId: 'relay-a1', mac: '02:ae:00:00:e2:e2' };

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms) => new Date(ms).toISOString();
const encodeCursor = (n) => Buffer.from(`o:${n}`).toString('base64');
const decodeCursor = (c) => {
  if (!c) return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(c, 'base64').toString());
  if (!m) throw userError('after is not a cursor from this list', 'after');
  return Number(m[1]);
};

function userError(message, field, code = 'BAD_USER_INPUT') {
  return new GraphQLError(message, { extensions: field ? { code, field } : { code } });
}

function page(items, first, after) {
  const size = first ?? 50;
  if (size < 1 || size > 500) throw userError('first must be between 1 and 500', 'first');
  const start = decodeCursor(after);
  const nodes = items.slice(start, start + size);
  const end = start + nodes.length;
  return { nodes, totalCount: items.length, pageInfo: { hasNextPage: end < items.length, endCursor: nodes.length ? encodeCursor(end) : null } };
}

/** A push/pull queue: subscribers iterate it, the simulator pushes into it. */
class PubSub {
  constructor() {
    this.listeners = new Set();
  }
  publish(payload) {
    for (const l of this.listeners) l(payload);
  }
  iterate(filter, wrap) {
    const queue = [];
    const waiting = [];
    const listener = (payload) => {
      if (!filter(payload)) return;
      const value = wrap(payload);
      const w = waiting.shift();
      if (w) w({ value, done: false });
      else if (queue.length < 10_000) queue.push(value);
    };
    this.listeners.add(listener);
    const done = () => {
      this.listeners.delete(listener);
      for (const w of waiting.splice(0)) w({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => (queue.length ? Promise.resolve({ value: queue.shift(), done: false }) : new Promise((r) => waiting.push(r))),
      return: done,
      throw: done,
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}

const FIRST = ['Ava', 'Liam', 'Noah', 'Emma', 'Mia', 'Lucas', 'Zoe', 'Omar', 'Ines', 'Kenji', 'Sofia', 'Mateo', 'Lena', 'Arjun', 'Chloe', 'Felix', 'Nora', 'Ravi', 'Elif', 'Jonas'];
const LAST = ['Okafor', 'Schmidt', 'Rossi', 'Kowalski', 'Silva', 'Nakamura', 'Haddad', 'Novak', 'Jensen', 'Dubois', 'Moreau', 'Costa', 'Ivanova', 'Patel', 'Larsen'];
const STREETS = ['Mill Lane', 'Harbour Road', 'Station Street', 'Orchard Way', 'Church Walk', 'Quarry Hill'];
const CAUSES = ['User-Request', 'Lost-Carrier', 'Idle-Timeout', 'Session-Timeout'];

// ---------------------------------------------------------------------------------------------------------------
// The simulated network

class Network {
  constructor({ sessions, seed, tickMs }) {
    this.rand = mulberry32(seed);
    this.tickMs = tickMs;
    this.pubsub = new PubSub();
    this.ids = { customer: 0, plan: 0, service: 0, session: 0, radius: 0 };
    this.customers = new Map();
    this.plans = new Map();
    this.services = new Map();
    this.serviceNames = new Map(); // username -> service
    this.sessionNames = new Map(); // username -> live session
    this.active = new Map();
    this.history = [];
    this.events = [];
    this.samples = []; // { time, sessionId, bngId, bytesUp, bytesDown, seconds }
    this.bySession = new Map(); // sessionId -> the same samples, for per-session figures
    this.radius = new Map(); // username -> { check, reply, groups }
    this.hosts = []; // subscribers waiting behind relays
    this.seq = new Map();
    const now = Date.now();
    this.bngs = new Map(
      [
        ['bng-1', ['relay-a1', 'relay-a2']],
        ['bng-2', ['relay-b1', 'relay-b2']],
      ].map(([id, relays], i) => [
        id,
        {
          id,
          instanceId: `${id}-i${(0x3a7 + i * 97).toString(16)}`,
          firstSeen: now - 3 * 3600_000,
          lastSeen: now,
          peer: `198.18.0.${11 + i}:5${1200 + i}`,
          connectedAt: now - 3 * 3600_000,
          cpu: 12 + i * 5,
          memory: (180 + i * 40) * 1024 * 1024,
          memoryLimit: 1024 * 1024 * 1024,
          healthSeries: [],
          relays: relays.map((r, k) => ({ id: r, giaddr: `198.18.${10 + i}.${1 + k}`, bngId: id, state: 'UP', updatedAt: now - 3600_000 })),
        },
      ]),
    );
    for (const [name, down, up, burst] of [
      ['Basic 25', 25_000, 5_000, null],
      ['Standard 100', 100_000, 20_000, 120_000],
      ['Fibre 500', 500_000, 100_000, null],
      ['Gigabit', 1_000_000, 250_000, null],
    ]) {
      const id = String(++this.ids.plan);
      this.plans.set(id, { id, name, downloadKbps: down, uploadKbps: up, burstKbps: burst, createdAt: now - 30 * 86400_000 });
    }
    this.seedHistory(now);
    this.seedSubscribers(sessions, now);
    this.hosts.push({ ...E2E_HOST, background: false, retryAt: now, online: null });
  }

  nextSeq(bngId) {
    const n = (this.seq.get(bngId) ?? 1000) + 1;
    this.seq.set(bngId, n);
    return n;
  }

  publishEvent(event) {
    this.events.push(event);
    if (this.events.length > 20_000) this.events.splice(0, this.events.length - 20_000);
    this.pubsub.publish({ kind: 'event', event });
  }

  makeEvent(type, bngId, time, extra = {}) {
    const bng = this.bngs.get(bngId);
    return { type, bngId, instanceId: bng.instanceId, seq: this.nextSeq(bngId), time: iso(time), sessionId: null, session: null, counters: null, cause: null, health: null, router: null, ...extra };
  }

  // --- provisioning -------------------------------------------------------------------------------------------

  addCustomer({ name, email, phone, address }, time = Date.now()) {
    const id = String(++this.ids.customer);
    const c = { id, name, email, phone: phone ?? null, address: address ?? null, createdAt: time, updatedAt: time };
    this.customers.set(id, c);
    return c;
  }

  addService(input, time = Date.now()) {
    const id = String(++this.ids.service);
    const username = input.username || [input.bngId ?? '', input.remoteId ?? '', input.circuitId ?? ''].join('/');
    const s = {
      id,
      customerId: input.customerId,
      planId: input.planId,
      bngId: input.bngId ?? null,
      remoteId: input.remoteId ?? null,
      circuitId: input.circuitId ?? null,
      username,
      status: input.status ?? 'ACTIVE',
      createdAt: time,
      updatedAt: time,
    };
    this.services.set(id, s);
    this.serviceNames.set(username, s);
    this.writeRadius(s);
    return s;
  }

  renameService(service, username) {
    this.serviceNames.delete(service.username);
    this.radius.delete(service.username);
    service.username = username;
    this.serviceNames.set(username, service);
  }

  removeService(service) {
    this.services.delete(service.id);
    this.serviceNames.delete(service.username);
    this.radius.delete(service.username);
  }

  writeRadius(service) {
    if (service.status !== 'ACTIVE') {
      this.radius.delete(service.username);
      return;
    }
    const plan = this.plans.get(service.planId);
    const row = (username, attribute, op, value) => ({ id: ++this.ids.radius, username, attribute, op, value });
    this.radius.set(service.username, {
      check: [row(service.username, 'Cleartext-Password', ':=', '********')],
      reply: [
        row(service.username, 'OSS-Download-Speed', ':=', String(plan.downloadKbps)),
        row(service.username, 'OSS-Upload-Speed', ':=', String(plan.uploadKbps)),
      ],
      groups: [{ id: ++this.ids.radius, username: service.username, groupName: plan.name, priority: 1 }],
    });
  }

  serviceByUsername(username) {
    return this.serviceNames.get(username) ?? null;
  }

  sessionForService(service) {
    return this.sessionNames.get(service.username) ?? null;
  }

  /** CoA: the new rates reach the live session and a POLICY_APPLY event records it. */
  applyPolicy(session, plan) {
    setTimeout(() => {
      if (!this.active.has(session.id)) return;
      const now = Date.now();
      session.downloadKbps = plan.downloadKbps;
      session.uploadKbps = plan.uploadKbps;
      session.updatedAt = now;
      this.publishEvent(
        this.makeEvent('POLICY_APPLY', session.bngId, now, { sessionId: session.id, session: this.eventSession(session) }),
      );
    }, 300);
  }

  // --- sessions -----------------------------------------------------------------------------------------------

  eventSession(s) {
    return {
      mac: s.mac,
      ip: s.ip,
      circuitId: s.circuitId,
      remoteId: s.remoteId,
      relayId: s.relayId,
      username: s.username,
      interface: 'sub0',
      downloadKbps: s.downloadKbps,
      uploadKbps: s.uploadKbps,
      started: iso(s.started),
      leaseExpires: iso(s.started + 3600_000),
    };
  }

  startSession(host, time) {
    const username = [host.bngId, host.remoteId, host.circuitId].join('/');
    const service = this.serviceByUsername(username);
    if (!service || service.status !== 'ACTIVE') return null;
    const plan = this.plans.get(service.planId);
    const n = ++this.ids.session;
    const session = {
      id: `s-${n.toString(16).padStart(6, '0')}`,
      bngId: host.bngId,
      instanceId: this.bngs.get(host.bngId).instanceId,
      mac: host.mac,
      ip: `100.64.${(n >> 8) & 255}.${n & 255 || 1}`,
      circuitId: host.circuitId,
      remoteId: host.remoteId,
      relayId: host.relayId,
      username,
      downloadKbps: plan.downloadKbps,
      uploadKbps: plan.uploadKbps,
      bytesUp: 0,
      bytesDown: 0,
      packetsUp: 0,
      packetsDown: 0,
      started: time,
      updatedAt: time,
      state: 'ACTIVE',
      activity: 0.05 + this.rand() * 0.3,
    };
    this.active.set(session.id, session);
    this.sessionNames.set(username, session);
    host.online = session.id;
    this.publishEvent(this.makeEvent('SESSION_START', session.bngId, time, { sessionId: session.id, session: this.eventSession(session) }));
    this.publishEvent(this.makeEvent('POLICY_APPLY', session.bngId, time, { sessionId: session.id, session: this.eventSession(session) }));
    return session;
  }

  stopSession(session, cause, time) {
    if (!this.active.has(session.id)) return;
    session.state = 'STOPPED';
    this.active.delete(session.id);
    if (this.sessionNames.get(session.username) === session) this.sessionNames.delete(session.username);
    const counters = { bytesUp: session.bytesUp, bytesDown: session.bytesDown, packetsUp: session.packetsUp, packetsDown: session.packetsDown };
    this.pubsub.publish({ kind: 'traffic', update: { sessionId: session.id, bngId: session.bngId, time: iso(time), ...counters, upBps: null, downBps: null, final: true } });
    this.publishEvent(this.makeEvent('SESSION_STOP', session.bngId, time, { sessionId: session.id, counters, cause, session: this.eventSession(session) }));
    this.history.unshift({ ...session, stopped: time, cause });
    for (const host of this.hosts) {
      if (host.online === session.id) {
        host.online = null;
        // A disconnected subscriber stays away for a while, as a DHCP client waits for its next attempt.
        host.retryAt = time + (host.background ? 5000 + this.rand() * 20000 : 90_000);
      }
    }
  }

  // --- seeding ------------------------------------------------------------------------------------------------

  seedHistory(now) {
    for (const bng of this.bngs.values()) {
      let cpu = bng.cpu;
      for (let t = now - 15 * 60_000; t <= now; t += 5000) {
        cpu = Math.max(2, Math.min(85, cpu + (this.rand() - 0.5) * 6));
        bng.healthSeries.push({ time: t, cpuPercent: cpu, memoryBytes: bng.memory + Math.round((this.rand() - 0.5) * 8e6), memoryLimitBytes: bng.memoryLimit, sessionCount: 0 });
      }
      bng.cpu = cpu;
    }
  }

  seedSubscribers(count, now) {
    const bngIds = [...this.bngs.keys()];
    const planIds = [...this.plans.keys()];
    for (let i = 0; i < count; i++) {
      const first = FIRST[Math.floor(this.rand() * FIRST.length)];
      const last = LAST[Math.floor(this.rand() * LAST.length)];
      const customer = this.addCustomer(
        {
          name: `${first} ${last}`,
          email: `${first}.${last}.${i}@example.net`.toLowerCase(),
          phone: `+44 20 7946 ${String(1000 + i).slice(-4)}`,
          address: `${1 + Math.floor(this.rand() * 180)} ${STREETS[i % STREETS.length]}`,
        },
        now - (2 + this.rand() * 60) * 86400_000,
      );
      const bng = this.bngs.get(bngIds[i % bngIds.length]);
      const relay = bng.relays[Math.floor(i / bngIds.length) % bng.relays.length];
      const host = {
        bngId: bng.id,
        remoteId: relay.id,
        circuitId: `eth0/${1 + (Math.floor(i / 40) % 4)}/${1 + (i % 40)}`,
        relayId: relay.id,
        mac: `02:ae:${((i >> 16) & 255).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`,
        background: true,
        retryAt: now + this.rand() * 60_000,
        online: null,
      };
      this.hosts.push(host);
      this.addService(
        { customerId: customer.id, planId: planIds[Math.floor(this.rand() * planIds.length)], bngId: host.bngId, remoteId: host.remoteId, circuitId: host.circuitId },
        customer.createdAt + 60_000,
      );
      // Most subscribers are online already; their sessions started some time ago with traffic since.
      if (this.rand() < 0.95) {
        const started = now - (5 + this.rand() * 600) * 60_000;
        const s = this.startSession(host, started);
        if (s) {
          const seconds = (now - started) / 1000;
          s.bytesDown = Math.round(((s.downloadKbps * 1000) / 8) * seconds * s.activity * 0.2);
          s.bytesUp = Math.round(s.bytesDown * 0.12);
          s.packetsDown = Math.round(s.bytesDown / 1200);
          s.packetsUp = Math.round(s.bytesUp / 400);
          s.updatedAt = now - this.rand() * 2000;
        }
      }
    }
    // Thirty minutes of per-session samples so the charts have a past; each session reports on its own phase,
    // with a slow swell across the half hour as a network has in the evening.
    const step = count > 1000 ? 60_000 : 10_000;
    for (const s of this.active.values()) {
      const phase = this.rand() * step;
      for (let t = now - 40 * 60_000 + phase; t < now - 2000; t += step) {
        if (s.started > t) continue;
        const seconds = step / 1000;
        const swell = 1 + 0.3 * Math.sin(((t - now) / (30 * 60_000)) * Math.PI * 2);
        const down = Math.round(((s.downloadKbps * 1000) / 8) * seconds * s.activity * swell * (0.15 + this.rand() * 0.25));
        this.addSample({ time: t, sessionId: s.id, bngId: s.bngId, seconds, bytesDown: down, bytesUp: Math.round(down * 0.12) });
      }
    }
    this.samples.sort((a, b) => a.time - b.time);
    // A day of finished sessions.
    for (let i = 0; i < Math.min(200, count * 2); i++) {
      const host = this.hosts[Math.floor(this.rand() * this.hosts.length)];
      const service = this.serviceByUsername([host.bngId, host.remoteId, host.circuitId].join('/'));
      const plan = this.plans.get(service.planId);
      const stopped = now - this.rand() * 86400_000;
      const started = stopped - (10 + this.rand() * 300) * 60_000;
      const bytesDown = Math.round(this.rand() * 4e9);
      this.history.push({
        id: `h-${i.toString(16).padStart(5, '0')}`,
        bngId: host.bngId,
        instanceId: this.bngs.get(host.bngId).instanceId,
        mac: host.mac,
        ip: `100.65.${i >> 8}.${i & 255 || 1}`,
        circuitId: host.circuitId,
        remoteId: host.remoteId,
        relayId: host.relayId,
        username: service.username,
        downloadKbps: plan.downloadKbps,
        uploadKbps: plan.uploadKbps,
        bytesUp: Math.round(bytesDown * 0.1),
        bytesDown,
        packetsUp: 0,
        packetsDown: 0,
        started,
        stopped,
        cause: CAUSES[Math.floor(this.rand() * CAUSES.length)],
      });
    }
    this.history.sort((a, b) => b.stopped - a.stopped);
    this.events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  }

  // --- the clock ----------------------------------------------------------------------------------------------

  tick() {
    const now = Date.now();
    // Waiting hosts try DHCP again.
    for (const host of this.hosts) {
      if (host.online || now < host.retryAt) continue;
      // A background host's DHCP client tries again every 20-60 s; the test's host every second.
      host.retryAt = now + (host.background ? 20_000 + this.rand() * 40_000 : 1000);
      this.startSession(host, now);
    }
    // Interim accounting: each session reports about every 5 s, every 30 s once there are many (as a real
    // network's interim interval would be set).
    const sessions = [...this.active.values()];
    const share = this.tickMs / (sessions.length > 500 ? 30_000 : 5000);
    for (const s of sessions) {
      if (this.rand() > share) continue;
      const seconds = Math.max(0.5, (now - s.updatedAt) / 1000);
      const load = s.activity * (0.15 + this.rand() * 0.25) * (this.rand() < 0.1 ? 0 : 1.1);
      const down = Math.round(((s.downloadKbps * 1000) / 8) * seconds * load);
      const up = Math.round(((s.uploadKbps * 1000) / 8) * seconds * load * 0.3);
      s.bytesDown += down;
      s.bytesUp += up;
      s.packetsDown += Math.round(down / 1200);
      s.packetsUp += Math.round(up / 400);
      s.updatedAt = now;
      this.addSample({ time: now, sessionId: s.id, bngId: s.bngId, seconds, bytesDown: down, bytesUp: up });
      const update = {
        sessionId: s.id,
        bngId: s.bngId,
        time: iso(now),
        bytesUp: s.bytesUp,
        bytesDown: s.bytesDown,
        packetsUp: s.packetsUp,
        packetsDown: s.packetsDown,
        upBps: (up * 8) / seconds,
        downBps: (down * 8) / seconds,
        final: false,
      };
      this.pubsub.publish({ kind: 'traffic', update });
      if (sessions.length <= 500 || this.rand() < 0.05) {
        this.publishEvent(
          this.makeEvent('SESSION_UPDATE', s.bngId, now, { sessionId: s.id, counters: { bytesUp: s.bytesUp, bytesDown: s.bytesDown, packetsUp: s.packetsUp, packetsDown: s.packetsDown } }),
        );
      }
    }
    const horizon = now - 2 * 3600_000;
    if (this.samples.length > 0 && this.samples[0].time < horizon) {
      this.samples = this.samples.filter((x) => x.time >= horizon);
      for (const [id, list] of this.bySession) {
        const kept = list.filter((x) => x.time >= horizon);
        if (kept.length === 0) this.bySession.delete(id);
        else this.bySession.set(id, kept);
      }
    }
    // Churn among the background subscribers.
    if (sessions.length > 0 && this.rand() < 0.12) {
      const victim = sessions[Math.floor(this.rand() * sessions.length)];
      const host = this.hosts.find((h) => h.online === victim.id);
      if (host?.background) this.stopSession(victim, CAUSES[Math.floor(this.rand() * CAUSES.length)], now);
    }
  }

  healthTick() {
    const now = Date.now();
    for (const bng of this.bngs.values()) {
      const sessionCount = [...this.active.values()].filter((s) => s.bngId === bng.id).length;
      bng.cpu = Math.max(2, Math.min(85, bng.cpu + (this.rand() - 0.5) * 6));
      bng.memory = Math.max(120e6, Math.min(900e6, bng.memory + (this.rand() - 0.5) * 6e6));
      bng.lastSeen = now;
      const sample = { time: now, cpuPercent: bng.cpu, memoryBytes: Math.round(bng.memory), memoryLimitBytes: bng.memoryLimit, sessionCount };
      bng.healthSeries.push(sample);
      if (bng.healthSeries.length > 2000) bng.healthSeries.shift();
      const report = { bngId: bng.id, instanceId: bng.instanceId, time: iso(now), cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes, memoryLimitBytes: sample.memoryLimitBytes, sessionCount };
      this.pubsub.publish({ kind: 'health', report });
      this.publishEvent(
        this.makeEvent('BNG_HEALTH_UPDATE', bng.id, now, { health: { cpuPercent: sample.cpuPercent, memoryBytes: sample.memoryBytes, memoryLimitBytes: sample.memoryLimitBytes, sessionCount } }),
      );
    }
  }

  // --- traffic figures ----------------------------------------------------------------------------------------

  addSample(x) {
    this.samples.push(x);
    let list = this.bySession.get(x.sessionId);
    if (!list) {
      list = [];
      this.bySession.set(x.sessionId, list);
    }
    list.push(x);
  }

  rate(filter, list = this.samples, now = Date.now()) {
    let up = 0;
    let down = 0;
    let last = null;
    for (const x of list) {
      if (x.time <= now - 300_000 || x.time > now || !filter(x)) continue;
      up += x.bytesUp;
      down += x.bytesDown;
      last = Math.max(last ?? 0, x.time);
    }
    return { upBps: (up * 8) / 300, downBps: (down * 8) / 300, upPps: up / 400 / 300, downPps: down / 1200 / 300, lastSample: last ? iso(last) : null };
  }

  series(filter, from, to, step, list = this.samples) {
    // Sums per bucket in one pass, then the five-minute average at each bucket's end from the buckets before it.
    const stepMs = step * 1000;
    const lead = Math.ceil(300_000 / stepMs);
    const start = Math.floor(from / stepMs) * stepMs - lead * stepMs;
    const count = Math.max(0, Math.floor((to - start) / stepMs) + 1);
    const up = new Float64Array(count);
    const down = new Float64Array(count);
    for (const x of list) {
      if (x.time < start || x.time > to || !filter(x)) continue;
      const b = Math.floor((x.time - start) / stepMs);
      up[b] += x.bytesUp;
      down[b] += x.bytesDown;
    }
    const points = [];
    let up5 = 0;
    let down5 = 0;
    for (let b = 0; b < count; b++) {
      up5 += up[b];
      down5 += down[b];
      if (b >= lead) {
        up5 -= up[b - lead];
        down5 -= down[b - lead];
      }
      if (b < lead) continue;
      points.push({
        time: iso(start + b * stepMs),
        bytesUp: up[b],
        bytesDown: down[b],
        upBps: (up[b] * 8) / step,
        downBps: (down[b] * 8) / step,
        upBpsAvg5m: (up5 * 8) / (lead * step),
        downBpsAvg5m: (down5 * 8) / (lead * step),
      });
    }
    return points;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Resolvers: plain objects whose function properties graphql-js calls with (args, context, info)

function createRoot(net) {
  const planView = (p) => p && { ...p, createdAt: iso(p.createdAt), serviceCount: () => [...net.services.values()].filter((s) => s.planId === p.id).length };

  const radiusProfile = (customerId) => {
    const usernames = [...net.services.values()].filter((s) => s.customerId === customerId).map((s) => s.username);
    const rows = usernames.map((u) => net.radius.get(u)).filter(Boolean);
    return { customerId, usernames, check: rows.flatMap((r) => r.check), reply: rows.flatMap((r) => r.reply), groups: rows.flatMap((r) => r.groups) };
  };

  const customerView = (c) =>
    c && {
      ...c,
      createdAt: iso(c.createdAt),
      updatedAt: iso(c.updatedAt),
      services: () => [...net.services.values()].filter((s) => s.customerId === c.id).map(serviceView),
      sessions: () => {
        const names = new Set([...net.services.values()].filter((s) => s.customerId === c.id).map((s) => s.username));
        return [...net.active.values()].filter((s) => names.has(s.username)).map(sessionView);
      },
      radiusProfile: () => radiusProfile(c.id),
    };

  const serviceView = (s) =>
    s && {
      ...s,
      createdAt: iso(s.createdAt),
      updatedAt: iso(s.updatedAt),
      customer: () => customerView(net.customers.get(s.customerId)),
      plan: () => planView(net.plans.get(s.planId)),
      session: () => {
        const live = net.sessionForService(s);
        return live ? sessionView(live) : null;
      },
    };

  const ownerOf = (username) => {
    const service = username ? net.serviceByUsername(username) : null;
    return { service, customer: service ? net.customers.get(service.customerId) : null };
  };

  const sessionView = (s) =>
    s && {
      ...s,
      started: iso(s.started),
      updatedAt: iso(s.updatedAt),
      service: () => serviceView(ownerOf(s.username).service),
      customer: () => customerView(ownerOf(s.username).customer),
      traffic: () => net.rate(() => true, net.bySession.get(s.id) ?? []),
    };

  const historicView = (h) => h && { ...h, started: iso(h.started), stopped: iso(h.stopped), customer: () => customerView(ownerOf(h.username).customer) };

  const bngView = (b) =>
    b && {
      id: b.id,
      instanceId: b.instanceId,
      firstSeen: iso(b.firstSeen),
      lastSeen: iso(b.lastSeen),
      health: () => {
        const h = b.healthSeries.at(-1);
        return h ? { ...h, time: iso(h.time) } : null;
      },
      healthSeries: ({ from, to }) => {
        const f = from ? Date.parse(from) : Date.now() - 3600_000;
        const t = to ? Date.parse(to) : Date.now();
        return b.healthSeries.filter((h) => h.time >= f && h.time <= t).slice(-2000).map((h) => ({ ...h, time: iso(h.time) }));
      },
      activeSessions: () => [...net.active.values()].filter((s) => s.bngId === b.id).length,
      accessRouters: () => b.relays.map((r) => ({ ...r, updatedAt: iso(r.updatedAt) })),
    };

  const sessionOrder = {
    STARTED: (s) => s.started,
    UPDATED_AT: (s) => s.updatedAt,
    IP: (s) => s.ip.split('.').map((p) => p.padStart(3, '0')).join('.'),
    MAC: (s) => s.mac,
    BNG_ID: (s) => s.bngId,
    CIRCUIT_ID: (s) => s.circuitId,
    BYTES_DOWN: (s) => s.bytesDown,
    BYTES_UP: (s) => s.bytesUp,
  };

  const customerUsernames = (customerId) => new Set([...net.services.values()].filter((s) => s.customerId === customerId).map((s) => s.username));

  const matchSession = (f = {}) => {
    const names = f.customerId ? customerUsernames(f.customerId) : null;
    return (s) =>
      (!f.bngId || s.bngId === f.bngId) &&
      (!f.state || s.state === f.state) &&
      (!f.ip || s.ip.includes(f.ip)) &&
      (!f.mac || s.mac.toLowerCase().includes(f.mac.toLowerCase())) &&
      (!names || names.has(s.username));
  };

  const validateCustomer = (input, existingId) => {
    if (input.name !== undefined && !input.name?.trim()) throw userError('The name cannot be empty.', 'name');
    if (input.email !== undefined) {
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email ?? '')) throw userError('This is not an email address.', 'email');
      for (const c of net.customers.values()) {
        if (c.id !== existingId && c.email.toLowerCase() === input.email.toLowerCase()) throw userError(`Another customer (${c.name}) has this email address.`, 'email');
      }
    }
  };

  const validatePlan = (input, existingId) => {
    if (input.name !== undefined) {
      if (!input.name?.trim()) throw userError('The name cannot be empty.', 'name');
      for (const p of net.plans.values()) if (p.id !== existingId && p.name === input.name) throw userError(`A plan named ${p.name} exists already.`, 'name');
    }
    for (const key of ['downloadKbps', 'uploadKbps', 'burstKbps']) {
      if (input[key] !== undefined && input[key] !== null && !(input[key] > 0)) throw userError('Rates must be above 0.', key);
    }
  };

  const requireService = (id) => {
    const s = net.services.get(id);
    if (!s) throw userError(`There is no service ${id}.`, 'id', 'NOT_FOUND');
    return s;
  };

  return {
    // Queries
    sessions: ({ first, after, filter, orderBy }) => {
      const key = sessionOrder[orderBy?.field ?? 'STARTED'];
      const dir = orderBy?.direction === 'DESC' ? -1 : 1;
      const items = [...net.active.values()].filter(matchSession(filter ?? {})).sort((a, b) => {
        const x = key(a);
        const y = key(b);
        return (x < y ? -1 : x > y ? 1 : a.id < b.id ? -1 : 1) * dir;
      });
      const p = page(items, first, after);
      return { ...p, nodes: p.nodes.map(sessionView) };
    },
    session: ({ id }) => sessionView(net.active.get(id)) ?? null,
    sessionHistory: ({ first, after, filter }) => {
      const f = filter ?? {};
      const names = f.customerId ? customerUsernames(f.customerId) : null;
      const from = f.from ? Date.parse(f.from) : null;
      const to = f.to ? Date.parse(f.to) : null;
      const items = net.history.filter(
        (h) =>
          (!f.bngId || h.bngId === f.bngId) &&
          (!f.ip || h.ip.includes(f.ip)) &&
          (!f.mac || h.mac.includes(f.mac.toLowerCase())) &&
          (!names || names.has(h.username)) &&
          (from === null || h.stopped >= from) &&
          (to === null || h.stopped < to),
      );
      const p = page(items, first, after);
      return { ...p, nodes: p.nodes.map(historicView) };
    },
    events: ({ first, after, filter }) => {
      const f = filter ?? {};
      const from = f.from ? Date.parse(f.from) : null;
      const to = f.to ? Date.parse(f.to) : null;
      const items = [];
      for (let i = net.events.length - 1; i >= 0; i--) {
        const e = net.events[i];
        if (f.sessionId && e.sessionId !== f.sessionId) continue;
        if (f.bngId && e.bngId !== f.bngId) continue;
        if (f.types?.length && !f.types.includes(e.type)) continue;
        const t = Date.parse(e.time);
        if ((from !== null && t < from) || (to !== null && t >= to)) continue;
        items.push(e);
      }
      const p = page(items, first, after);
      return { nodes: p.nodes, pageInfo: p.pageInfo };
    },
    bngs: () => [...net.bngs.values()].map(bngView),
    bng: ({ id }) => bngView(net.bngs.get(id)) ?? null,
    accessRouters: ({ bngId }) => [...net.bngs.values()].filter((b) => !bngId || b.id === bngId).flatMap((b) => b.relays.map((r) => ({ ...r, updatedAt: iso(r.updatedAt) }))),
    agents: () =>
      [...net.bngs.values()].map((b) => ({
        bngId: b.id,
        instanceId: b.instanceId,
        peer: b.peer,
        connected: iso(b.connectedAt),
        sessionCount: [...net.active.values()].filter((s) => s.bngId === b.id).length,
      })),
    customers: ({ first, after, search }) => {
      const q = search?.trim().toLowerCase();
      const items = [...net.customers.values()].filter((c) => !q || c.name.toLowerCase().includes(q) || c.email.toLowerCase().includes(q)).sort((a, b) => b.createdAt - a.createdAt);
      const p = page(items, first, after);
      return { ...p, nodes: p.nodes.map(customerView) };
    },
    customer: ({ id }) => customerView(net.customers.get(id)) ?? null,
    plans: () => [...net.plans.values()].map(planView),
    plan: ({ id }) => planView(net.plans.get(id)) ?? null,
    services: ({ first, after, customerId, planId }) => {
      const items = [...net.services.values()].filter((s) => (!customerId || s.customerId === customerId) && (!planId || s.planId === planId)).sort((a, b) => b.createdAt - a.createdAt);
      const p = page(items, first, after);
      return { ...p, nodes: p.nodes.map(serviceView) };
    },
    service: ({ id }) => serviceView(net.services.get(id)) ?? null,
    trafficSeries: ({ sessionId, bngId, from, to, stepSeconds }) => {
      const step = stepSeconds ?? 60;
      if (step < 10 || step > 86_400) throw userError('stepSeconds must be between 10 and 86400', 'stepSeconds');
      const t = to ? Date.parse(to) : Date.now();
      const f = from ? Date.parse(from) : t - 3600_000;
      const list = sessionId ? (net.bySession.get(sessionId) ?? []) : net.samples;
      return net.series((x) => !bngId || x.bngId === bngId, f, t, step, list);
    },
    traffic: ({ bngId }) => net.rate((x) => !bngId || x.bngId === bngId),
    radiusProfile: ({ customerId }) => radiusProfile(customerId),

    // Mutations
    createCustomer: ({ input }) => {
      validateCustomer(input);
      return customerView(net.addCustomer(input));
    },
    updateCustomer: ({ id, input }) => {
      const c = net.customers.get(id);
      if (!c) throw userError(`There is no customer ${id}.`, 'id', 'NOT_FOUND');
      validateCustomer(input, id);
      for (const key of ['name', 'email', 'phone', 'address']) if (input[key] !== undefined) c[key] = input[key];
      c.updatedAt = Date.now();
      return customerView(c);
    },
    deleteCustomer: ({ id }) => {
      if (!net.customers.delete(id)) throw userError(`There is no customer ${id}.`, 'id', 'NOT_FOUND');
      for (const s of [...net.services.values()]) if (s.customerId === id) net.removeService(s);
      return id;
    },
    createPlan: ({ input }) => {
      validatePlan(input);
      const id = String(++net.ids.plan);
      const p = { id, name: input.name, downloadKbps: input.downloadKbps, uploadKbps: input.uploadKbps, burstKbps: input.burstKbps ?? null, createdAt: Date.now() };
      net.plans.set(id, p);
      return planView(p);
    },
    updatePlan: ({ id, input }) => {
      const p = net.plans.get(id);
      if (!p) throw userError(`There is no plan ${id}.`, 'id', 'NOT_FOUND');
      validatePlan(input, id);
      for (const key of ['name', 'downloadKbps', 'uploadKbps', 'burstKbps']) if (input[key] !== undefined) p[key] = input[key];
      let radiusUsersUpdated = 0;
      let sessionsUpdated = 0;
      for (const s of net.services.values()) {
        if (s.planId !== id) continue;
        net.writeRadius(s);
        radiusUsersUpdated++;
        const live = net.sessionForService(s);
        if (live) {
          net.applyPolicy(live, p);
          sessionsUpdated++;
        }
      }
      return { plan: planView(p), radiusUsersUpdated, sessionsUpdated, sessionFailures: [] };
    },
    deletePlan: ({ id }) => {
      if (!net.plans.has(id)) throw userError(`There is no plan ${id}.`, 'id', 'NOT_FOUND');
      if ([...net.services.values()].some((s) => s.planId === id)) throw userError('Services use this plan: move them to another plan first.', 'id', 'CONFLICT');
      net.plans.delete(id);
      return id;
    },
    createService: ({ input }) => {
      if (!net.customers.has(input.customerId)) throw userError('There is no such customer.', 'customerId');
      if (!net.plans.has(input.planId)) throw userError('There is no such plan.', 'planId');
      if (!input.username && !(input.circuitId && input.remoteId)) throw userError('Give the circuit-id and remote-id, or a User-Name.', 'circuitId');
      if (input.status && !['ACTIVE', 'SUSPENDED'].includes(input.status)) throw userError('Status must be ACTIVE or SUSPENDED.', 'status');
      const username = input.username || [input.bngId ?? '', input.remoteId ?? '', input.circuitId ?? ''].join('/');
      if (net.serviceByUsername(username)) throw userError(`Another service has the User-Name ${username}.`, 'username');
      for (const s of net.services.values()) {
        if (input.circuitId && s.circuitId === input.circuitId && s.remoteId === input.remoteId && s.bngId === (input.bngId ?? null)) {
          throw userError('Another service has this circuit-id and remote-id.', 'circuitId');
        }
      }
      return serviceView(net.addService({ ...input, username }));
    },
    updateService: ({ id, input }) => {
      const s = requireService(id);
      if (input.planId !== undefined && input.planId !== null && !net.plans.has(input.planId)) throw userError('There is no such plan.', 'planId');
      if (input.status && !['ACTIVE', 'SUSPENDED'].includes(input.status)) throw userError('Status must be ACTIVE or SUSPENDED.', 'status');
      const planChanged = input.planId && input.planId !== s.planId;
      if (input.username && input.username !== s.username) {
        if (net.serviceByUsername(input.username)) throw userError(`Another service has the User-Name ${input.username}.`, 'username');
        net.renameService(s, input.username);
      }
      for (const key of ['planId', 'bngId', 'remoteId', 'circuitId', 'status']) if (input[key] !== undefined && input[key] !== null) s[key] = input[key];
      s.updatedAt = Date.now();
      net.writeRadius(s);
      const live = net.sessionForService(s);
      if (planChanged && live) net.applyPolicy(live, net.plans.get(s.planId));
      return serviceView(s);
    },
    deleteService: ({ id }) => {
      net.removeService(requireService(id));
      return id;
    },
    assignPlan: ({ input }) => {
      const username = input.username || [input.bngId ?? '', input.remoteId ?? '', input.circuitId ?? ''].join('/');
      const existing = net.serviceByUsername(username);
      if (!net.plans.has(input.planId)) throw userError('There is no such plan.', 'planId');
      if (existing) {
        existing.planId = input.planId;
        existing.updatedAt = Date.now();
        net.writeRadius(existing);
        const live = net.sessionForService(existing);
        if (live) net.applyPolicy(live, net.plans.get(input.planId));
        return { service: serviceView(existing), created: false, sessionsUpdated: live ? 1 : 0, sessionFailures: [] };
      }
      if (!net.customers.has(input.customerId)) throw userError('There is no such customer.', 'customerId');
      return { service: serviceView(net.addService({ ...input, username })), created: true, sessionsUpdated: 0, sessionFailures: [] };
    },
    syncRadius: ({ customerId }) => {
      let written = 0;
      let removed = 0;
      for (const s of net.services.values()) {
        if (customerId && s.customerId !== customerId) continue;
        net.writeRadius(s);
        if (s.status === 'ACTIVE') written++;
        else removed++;
      }
      return { written, removed };
    },
    disconnectSession: ({ id, cause }) => {
      const s = net.active.get(id);
      if (!s) throw userError(`Session ${id} is not active.`, 'id', 'NOT_FOUND');
      // The Disconnect-Request goes to the agent; the stop arrives as an event a moment later.
      setTimeout(() => net.stopSession(s, cause ?? 'Admin-Reset', Date.now()), 250);
      return { sessionId: s.id, bngId: s.bngId };
    },
  };
}

function createSubscriptionRoot(net) {
  return {
    sessionEvents: ({ bngId, sessionId, types }) =>
      net.pubsub.iterate(
        (p) => p.kind === 'event' && (!bngId || p.event.bngId === bngId) && (!sessionId || p.event.sessionId === sessionId) && (!types?.length || types.includes(p.event.type)),
        (p) => ({ sessionEvents: p.event }),
      ),
    trafficUpdated: ({ sessionId, bngId }) =>
      net.pubsub.iterate(
        (p) => p.kind === 'traffic' && (!sessionId || p.update.sessionId === sessionId) && (!bngId || p.update.bngId === bngId),
        (p) => ({ trafficUpdated: p.update }),
      ),
    bngHealth: ({ bngId }) =>
      net.pubsub.iterate(
        (p) => p.kind === 'health' && (!bngId || p.report.bngId === bngId),
        (p) => ({ bngHealth: p.report }),
      ),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The server

const contentTypes = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.ico': 'image/x-icon' };

export async function startMockServer({ port = 0, host = '127.0.0.1', apiKey = 'mock-key', sessions = 60, seed = 7, tickMs = 1000, dist = path.join(webRoot, 'dist'), log = () => {} } = {}) {
  const schema = buildSchema(readFileSync(path.join(webRoot, 'src/graphql/schema.graphql'), 'utf8'));
  const net = new Network({ sessions, seed, tickMs });
  const root = createRoot(net);
  const subscriptionRoot = createSubscriptionRoot(net);
  const authorized = (value) => typeof value === 'string' && value.replace(/^Bearer\s+/i, '') === apiKey;

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/graphql') {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      if (!authorized(req.headers.authorization)) {
        res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' });
        res.end(JSON.stringify({ errors: [{ message: 'A valid API key is required.', extensions: { code: 'UNAUTHENTICATED' } }] }));
        return;
      }
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', async () => {
        let request;
        try {
          request = JSON.parse(body);
        } catch {
          res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ message: 'the body is not JSON' }] }));
          return;
        }
        const result = await graphql({ schema, source: request.query, rootValue: root, variableValues: request.variables, operationName: request.operationName });
        log(`${request.operationName ?? 'anonymous'}${result.errors ? ` errors: ${result.errors.map((e) => e.message).join('; ')}` : ''}`);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result));
      });
      return;
    }
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
      return;
    }
    // The built app, with index.html for every route of the single-page app.
    const file = path.join(dist, path.normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, ''));
    const isFile = file.startsWith(dist) && existsSync(file) && statSync(file).isFile();
    if (isFile) {
      res.writeHead(200, { 'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream' });
      createReadStream(file).pipe(res);
      return;
    }
    if (url.pathname.startsWith('/assets/') || path.extname(url.pathname)) {
      res.writeHead(404).end('not found');
      return;
    }
    const index = path.join(dist, 'index.html');
    if (!existsSync(index)) {
      res.writeHead(503, { 'Content-Type': 'text/plain' }).end('web/dist is not built: run npm run build');
      return;
    }
    res.writeHead(200, { 'Content-Type': contentTypes['.html'] });
    createReadStream(index).pipe(res);
  });

  const wss = new WebSocketServer({ server, path: '/graphql' });
  const wsServer = useServer(
    {
      schema,
      roots: { query: root, mutation: root, subscription: subscriptionRoot },
      // A refused key closes the socket with 4403, as graphql-ws servers (and the controller) do.
      onConnect: (ctx) => authorized(ctx.connectionParams?.Authorization ?? ctx.connectionParams?.authorization),
    },
    wss,
  );

  const tick = setInterval(() => net.tick(), tickMs);
  const health = setInterval(() => net.healthTick(), 3000);
  net.healthTick();

  await new Promise((resolve) => server.listen(port, host, resolve));
  const address = server.address();
  const url = `http://${host}:${address.port}`;
  return {
    url,
    net,
    close: async () => {
      clearInterval(tick);
      clearInterval(health);
      await wsServer.dispose();
      wss.close();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const server = await startMockServer({
    port: Number(arg('port', '8090')),
    apiKey: arg('key', 'mock-key'),
    sessions: Number(arg('sessions', '60')),
    dist: path.resolve(arg('dist', path.join(webRoot, 'dist'))),
    log: process.argv.includes('--verbose') ? (line) => console.log(line) : () => {},
  });
  console.log(`mock controller on ${server.url} (API key: ${arg('key', 'mock-key')})`);
  const stop = async () => {
    await server.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
