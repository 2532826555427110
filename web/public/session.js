// The signed-in user's tokens from the users service, through the gateway (/users/v1/auth/...),
// kept in localStorage so the pages under the gateway's one origin (the session pages at /app/,
// the live dashboard at /dashboard/) share one sign-in.
(() => {
  const KEY = 'wattstream.session';
  const read = () => {
    try {
      return JSON.parse(localStorage.getItem(KEY) || 'null');
    } catch {
      return null;
    }
  };
  const keep = (t) =>
    localStorage.setItem(
      KEY,
      JSON.stringify({
        accessToken: t.accessToken,
        refreshToken: t.refreshToken,
        expiresAt: Date.now() + t.expiresIn * 1000,
      }),
    );
  async function post(path, body) {
    const res = await fetch(`/users/v1/auth/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    if (!res.ok) throw new Error(json?.detail ?? `${res.status} ${res.statusText}`);
    return json;
  }
  let refreshing;
  window.wattstreamSession = {
    async signIn(email, password) {
      keep(await post('login', { email, password }));
    },
    signOut() {
      localStorage.removeItem(KEY);
    },
    /** A valid access token (refreshed shortly before it expires), or null when nobody is signed in. */
    async token() {
      const s = read();
      if (!s) return null;
      if (s.expiresAt - 30_000 > Date.now()) return s.accessToken;
      // One refresh at a time: refresh tokens are single-use, a second use revokes the session.
      refreshing ??= post('refresh', { refreshToken: s.refreshToken })
        .then(keep, () => localStorage.removeItem(KEY))
        .finally(() => {
          refreshing = undefined;
        });
      await refreshing;
      return read()?.accessToken ?? null;
    },
  };
})();
