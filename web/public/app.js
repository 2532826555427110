// The athlete's pages: the session list and a session page. Data from the training and tracking
// APIs (under their gateway prefixes), charts with uPlot. The token comes from the sign-in
// (session.js, behind the gateway) or from ?token= (kept in sessionStorage; no gateway needed).
(() => {
  const params = new URLSearchParams(location.search);
  if (params.get('token')) sessionStorage.setItem('wattstream.token', params.get('token'));
  let token = sessionStorage.getItem('wattstream.token');
  const status = document.getElementById('status');
  const show = (state, text) => {
    status.dataset.state = state;
    status.textContent = text;
  };
  const state = { charts: {}, data: {} };
  window.wattstream = state;

  let base = '';
  async function api(path) {
    const res = await fetch(`${base}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    const body = res.headers.get('content-type')?.includes('json') ? await res.json() : null;
    if (!res.ok) throw new Error(body?.detail ?? `${res.status} ${res.statusText}`);
    return body;
  }

  const fmt = {
    n: (v, d = 0) => (v === null || v === undefined ? '–' : Number(v).toFixed(d)),
    duration: (s) => {
      if (s === null || s === undefined) return '–';
      const h = Math.floor(s / 3600);
      const m = Math.floor((s % 3600) / 60);
      return `${h}:${String(m).padStart(2, '0')}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
    },
    km: (m) => (m === null || m === undefined ? '–' : (m / 1000).toFixed(2)),
  };
  const text = (tag, value, attrs = {}) => {
    const el = document.createElement(tag);
    el.textContent = value;
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  };

  async function listPage() {
    const tbody = document.querySelector('#sessions tbody');
    const more = document.getElementById('more');
    let cursor = null;
    const load = async () => {
      const page = await api(`/training/v1/sessions?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      for (const s of page.items) {
        const tr = document.createElement('tr');
        tr.dataset.sessionId = s.id;
        const a = text('a', new Date(s.startedAt).toLocaleString(), {
          href: `session?id=${encodeURIComponent(s.id)}`,
        });
        const first = document.createElement('td');
        first.append(a);
        const sum = s.summary ?? {};
        tr.append(
          first,
          text('td', s.sport),
          text('td', s.state === 'live' ? 'live now' : s.source),
          text('td', fmt.duration(sum.durationS), { 'data-metric': 'duration' }),
          text('td', fmt.km(sum.distanceM), { 'data-metric': 'distance' }),
          text('td', fmt.n(sum.avgPower), { 'data-metric': 'avgPower' }),
          text('td', fmt.n(sum.normalizedPower), { 'data-metric': 'normalizedPower' }),
          text('td', fmt.n(sum.load), { 'data-metric': 'load' }),
          text('td', fmt.n(sum.avgHr), { 'data-metric': 'avgHr' }),
        );
        tbody.append(tr);
      }
      cursor = page.nextCursor;
      more.hidden = cursor === null;
    };
    more.addEventListener('click', () => load().catch((e) => show('error', e.message)));
    await load();
    show('ready', `${tbody.children.length} sessions`);
  }

  function chart(id, opts, data) {
    const el = document.getElementById(`chart-${id}`);
    const u = new uPlot({ width: Math.max(320, el.clientWidth - 8), height: 180, ...opts }, data, el);
    state.charts[id] = u;
    el.dataset.points = String(data[0].length);
    return u;
  }

  async function sessionPage() {
    const id = params.get('id');
    if (!id) throw new Error('no session id in the address');
    const enc = encodeURIComponent(id);
    const [session, samples, pd] = await Promise.all([
      api(`/training/v1/sessions/${enc}`),
      api(`/tracking/v1/sessions/${enc}/samples?points=1000`),
      api(`/tracking/v1/sessions/${enc}/power-duration`),
    ]);
    state.data = { session, samples, pd };
    document.getElementById('title').textContent = `${session.sport} · ${new Date(session.startedAt).toLocaleString()}`;
    const sum = session.summary ?? {};
    const dl = document.getElementById('summary');
    for (const [label, key, value] of [
      ['Duration', 'durationS', fmt.duration(sum.durationS)],
      ['Moving', 'movingS', fmt.duration(sum.movingS)],
      ['Distance km', 'distanceM', fmt.km(sum.distanceM)],
      ['Work kJ', 'kj', fmt.n(sum.kj)],
      ['Avg W', 'avgPower', fmt.n(sum.avgPower)],
      ['NP', 'normalizedPower', fmt.n(sum.normalizedPower)],
      ['IF', 'intensity', fmt.n(sum.intensity, 2)],
      ['TSS', 'load', fmt.n(sum.load)],
      ['Avg HR', 'avgHr', fmt.n(sum.avgHr)],
      ['Max HR', 'maxHr', fmt.n(sum.maxHr)],
    ]) {
      const d = document.createElement('div');
      d.append(text('dt', label), text('dd', value, { 'data-metric': key }));
      dl.append(d);
    }
    for (const a of document.querySelectorAll('#downloads button')) {
      a.addEventListener('click', async (ev) => {
        ev.preventDefault();
        const res = await fetch(`${base}/tracking/v1/sessions/${enc}/export.${a.dataset.format}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        if (!res.ok) return show('error', (await res.json()).detail);
        const url = URL.createObjectURL(await res.blob());
        const link = text('a', '', { href: url, download: `${id.replace(':', '-')}.${a.dataset.format}` });
        link.click();
        URL.revokeObjectURL(url);
      });
    }
    const t = samples.t.map((ms) => ms / 1000);
    const line = (label, stroke, values) =>
      chart(label.toLowerCase(), { series: [{}, { label, stroke, width: 1.5, spanGaps: false }] }, [t, values]);
    line('Power', '#d9480f', samples.power);
    line('HR', '#c2255c', samples.hr);
    line('Cadence', '#1971c2', samples.cadence);
    line('Speed', '#2f9e44', samples.speed);
    const zones = sum.timeInPowerZones ?? [];
    chart(
      'zones',
      {
        scales: { x: { time: false } },
        axes: [
          { values: (_u, ticks) => ticks.map((v) => `Z${v}`) },
          { values: (_u, ticks) => ticks.map((v) => `${Math.round(v / 60)}m`) },
        ],
        series: [
          {},
          { label: 'seconds', fill: '#74c0fc', stroke: '#1971c2', paths: uPlot.paths.bars({ size: [0.7] }) },
        ],
      },
      [zones.map((_, i) => i + 1), zones],
    );
    const best = pd.best.filter((b) => b.watts !== null);
    chart(
      'pd',
      {
        scales: { x: { time: false, distr: 3 } },
        series: [{ label: 's' }, { label: 'W', stroke: '#5f3dc4', width: 2, points: { show: true } }],
      },
      [best.map((b) => b.durationS), best.map((b) => b.watts)],
    );
    show('ready', session.state === 'live' ? 'live' : 'completed');
  }

  fetch('config.json')
    .then((r) => r.json())
    .then((cfg) => {
      base = cfg.apiBase ?? '';
      return token ?? window.wattstreamSession?.token();
    })
    .then((t) => {
      token = t;
      if (!token) {
        location.href = `signin?next=${encodeURIComponent(location.pathname + location.search)}`;
        return;
      }
      return document.body.dataset.page === 'session' ? sessionPage() : listPage();
    })
    .catch((e) => show('error', e.message));
})();
