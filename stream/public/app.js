// wattstream live dashboard: plain browser JavaScript, no build step. Speaks the live protocol
// (/v1/live): subscribe to athletes and a group, render stats and the leaderboard, reconnect with
// `since` so nothing is missed after a short drop; the signed-in user's own channel `user:<id>`
// brings their live notifications, shown as toasts.
const params = new URLSearchParams(location.search);
// The token of the link (`?token=`), else the sign-in shared by the pages behind the gateway
// (../app/session.js, which only loads there).
const session = params.get('token') || params.get('access_token') ? undefined : window.wattstreamSession;
let token = params.get('token') || params.get('access_token') || (await session?.token()) || null;
if (!token && session) location.href = `../app/signin?next=${encodeURIComponent(location.pathname + location.search)}`;
const $ = (s, el = document) => el.querySelector(s);
const status = $('#status');
const setStatus = (state, text) => {
  status.dataset.state = state;
  status.textContent = text;
};

function claimsOf(t) {
  try {
    const b = t.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(b + '='.repeat((4 - (b.length % 4)) % 4)));
  } catch {
    return {};
  }
}

if (!token) {
  $('#hint').hidden = false;
  setStatus('error', 'no token');
} else {
  const claims = claimsOf(token);
  const athletes = (params.get('athletes') || [claims.sub, ...(claims.watch || [])].join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const group = params.get('group');
  const tiles = new Map();
  const seqs = new Map();
  const SPARK = 60;

  const tileOf = (id) => {
    let t = tiles.get(id);
    if (t) return t;
    const el = $('#tile').content.firstElementChild.cloneNode(true);
    el.dataset.athlete = id;
    $('.name', el).textContent = id;
    $('#tiles').append(el);
    t = { el, spark: [] };
    tiles.set(id, t);
    return t;
  };
  for (const a of [...new Set(athletes)]) tileOf(a);

  const fmt = (v, d = 0) => (v === null || v === undefined ? '–' : Number(v).toFixed(d));
  const hms = (s) => {
    s = Math.floor(s);
    return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  };

  function renderStats(data) {
    const t = tileOf(data.athleteId);
    const m = data.metrics;
    const set = (k, v) => {
      $(`[data-metric="${k}"]`, t.el).textContent = v;
    };
    set('power', fmt(m.power));
    set('power3s', fmt(m.power3s));
    set('hr', fmt(m.hr));
    set('cadence', fmt(m.cadence));
    set('speed', m.speed === null ? '–' : (m.speed * 3.6).toFixed(1));
    set('distance', (m.distance / 1000).toFixed(2));
    set('wbal', m.wbal === null ? '–' : (m.wbal / 1000).toFixed(1));
    set('elapsed', hms(m.elapsedS));
    set('profile', data.profileSource === 'default' ? 'default profile' : 'profile');
    $('.hr', t.el).dataset.zone = m.hrZone ?? '';
    $('.power-zone', t.el).textContent = m.powerZone ? `Z${m.powerZone}` : '';
    const full = data.profileSource === 'default' ? 20000 : null;
    if (m.wbal !== null) {
      const max = Math.max(m.wbal, full ?? m.wbal, t.wmax ?? 0);
      t.wmax = max;
      $('.wbal-bar div', t.el).style.width = `${Math.max(0, Math.min(100, (m.wbal / max) * 100))}%`;
    }
    if (m.power3s !== null) {
      t.spark.push(m.power3s);
      if (t.spark.length > SPARK) t.spark.shift();
      const max = Math.max(100, ...t.spark);
      const pts = t.spark.map((p, i) => `${((i / (SPARK - 1)) * 120).toFixed(1)},${(30 - (p / max) * 28).toFixed(1)}`);
      $('.spark polyline', t.el).setAttribute('points', pts.join(' '));
    }
  }

  const UNITS = {
    distance: ['Distance', (v) => `${(v / 1000).toFixed(2)} km`],
    power: ['Avg power', (v) => `${fmt(v)} W`],
    wkg: ['W/kg', (v) => fmt(v, 2)],
  };
  function renderBoard(b) {
    $('#board').hidden = false;
    $('#board-title').textContent = b.name;
    const [label, f] = UNITS[b.rankBy];
    $('#board-rank').textContent = label;
    const rows = b.entries.map(
      (e) =>
        `<tr data-athlete="${e.athleteId}"><td>${e.rank}</td><td>${e.athleteId}</td><td>${e.value === null ? '–' : f(e.value)}</td>` +
        `<td>${(e.distance / 1000).toFixed(2)} km</td><td>${fmt(e.power3s)} W</td><td>${fmt(e.hr)}</td></tr>`,
    );
    $('#board-rows').innerHTML = rows.join('');
  }

  // A notification (`notifications.live` via the user channel): a toast for 8 s, at most 4 shown.
  const shown = new Set();
  function toast(n) {
    if (shown.has(n.notificationId)) return; // delivered again after a reconnect
    shown.add(n.notificationId);
    let box = $('#toasts');
    if (!box) {
      box = document.createElement('div');
      box.id = 'toasts';
      box.className = 'toasts';
      box.setAttribute('role', 'status');
      document.body.append(box);
    }
    const el = document.createElement('div');
    el.className = 'toast';
    el.dataset.kind = n.kind;
    const title = document.createElement('strong');
    title.textContent = n.title;
    const body = document.createElement('span');
    body.textContent = n.body;
    el.append(title, body);
    box.append(el);
    while (box.children.length > 4) box.firstElementChild.remove();
    setTimeout(() => el.remove(), 8000);
  }

  let retry = 500;
  async function connect() {
    if (session) token = (await session.token()) ?? token;
    const proto = location.protocol === 'https:' ? 'wss' : 'ws';
    // Served by the live server itself the socket is /v1/live; behind the gateway (the page at
    // /dashboard/) it is the gateway's /live prefix.
    const path = location.pathname.startsWith('/dashboard/') ? '/live/v1/live' : '/v1/live';
    const ws = new WebSocket(`${proto}://${location.host}${path}?access_token=${encodeURIComponent(token)}`);
    ws.onopen = () => {
      retry = 500;
      setStatus('live', 'live');
      const channels = [...tiles.keys()].map((a) => `athlete:${a}`);
      if (group) channels.push(`group:${group}`);
      if (claims.sub) channels.push(`user:${claims.sub}`);
      for (const channel of channels) {
        const since = seqs.get(channel);
        ws.send(
          JSON.stringify(since === undefined ? { type: 'subscribe', channel } : { type: 'subscribe', channel, since }),
        );
      }
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === 'error') {
        setStatus('error', `${msg.code}: ${msg.message}`);
        return;
      }
      if (msg.type === 'notification') {
        toast(msg.data);
        return;
      }
      if (msg.type === 'subscribed') {
        if (msg.snapshot && (msg.replayed === undefined || msg.replayed === 0 || msg.gap)) {
          if (msg.channel.startsWith('athlete:')) renderStats(msg.snapshot);
          else renderBoard(msg.snapshot);
          seqs.set(msg.channel, msg.seq);
        }
        return;
      }
      seqs.set(msg.channel, msg.seq);
      if (msg.type === 'stats') renderStats(msg.data);
      else if (msg.type === 'leaderboard') renderBoard(msg.data);
    };
    ws.onclose = (ev) => {
      if (ev.code === 4401 && !session) {
        setStatus('error', `not authorized (${ev.reason}); open the page with a fresh token`);
        return;
      }
      setStatus('connecting', 'reconnecting…');
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  }
  connect();
}
