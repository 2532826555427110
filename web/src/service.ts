import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defineService } from '@wattstream/kernel';
import { DEFAULT_SERVICE_PORTS, port, str, url, WattstreamError } from '@wattstream/platform';

const require = createRequire(import.meta.url);
const PUBLIC = new URL('../public/', import.meta.url);

/** The files served, and their types: a fixed list, so no request path reaches the file system. */
const FILES: Record<string, { file: URL | string; type: string }> = {
  '/': { file: new URL('index.html', PUBLIC), type: 'text/html; charset=utf-8' },
  '/session': { file: new URL('session.html', PUBLIC), type: 'text/html; charset=utf-8' },
  '/signin': { file: new URL('signin.html', PUBLIC), type: 'text/html; charset=utf-8' },
  '/app.js': { file: new URL('app.js', PUBLIC), type: 'text/javascript; charset=utf-8' },
  '/session.js': { file: new URL('session.js', PUBLIC), type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: new URL('style.css', PUBLIC), type: 'text/css; charset=utf-8' },
  '/vendor/uplot.js': { file: require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uplot.css': { file: require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
};

/**
 * The athlete's pages: the session list and a session page with charts (uPlot, served from
 * node_modules: no CDN). The pages call the training and tracking APIs with the user's token
 * under the gateway's prefixes (`/training/v1`, `/tracking/v1`) at `apiBase` from `/config.json`.
 */
export const webService = defineService({
  name: 'web',
  description: "the athlete's pages: session list and session charts",
  port: port('WEB_PORT', { default: DEFAULT_SERVICE_PORTS.web, allowZero: true, description: 'HTTP: the pages' }),
  config: {
    apiBase: str('WEB_API_BASE', {
      default: '',
      description:
        'origin the pages call for /training/v1 and /tracking/v1 (empty: this server, which forwards GETs to the upstreams below; behind the gateway: empty too, the gateway routes them)',
    }),
    trainingUpstream: url('WEB_TRAINING_UPSTREAM', {
      default: `http://127.0.0.1:${DEFAULT_SERVICE_PORTS.training}`,
      protocols: ['http:', 'https:'],
      description: 'where this server forwards /training/* GETs (development without the gateway)',
    }),
    trackingUpstream: url('WEB_TRACKING_UPSTREAM', {
      default: `http://127.0.0.1:${DEFAULT_SERVICE_PORTS.tracking}`,
      protocols: ['http:', 'https:'],
      description: 'where this server forwards /tracking/* GETs (development without the gateway)',
    }),
  },
  start(ctx) {
    const bodies = new Map(Object.entries(FILES).map(([path, f]) => [path, readFileSync(f.file)]));
    const hide = { schema: { hide: true } };
    for (const [path, f] of Object.entries(FILES)) {
      ctx.http.get(path, hide, async (_req, reply) =>
        reply.type(f.type).header('cache-control', 'no-cache').send(bodies.get(path)),
      );
    }
    ctx.http.get('/config.json', hide, async () => ({ apiBase: ctx.config.apiBase.replace(/\/$/, '') }));
    // Read-only forwarding to the APIs under the gateway's prefixes, so the pages have one origin.
    for (const [prefix, upstream] of [
      ['/training', ctx.config.trainingUpstream],
      ['/tracking', ctx.config.trackingUpstream],
    ] as const) {
      ctx.http.get(`${prefix}/v1/*`, hide, async (req, reply) => {
        const target = new URL(req.url.slice(prefix.length), upstream);
        const auth = req.headers.authorization;
        let res: Response;
        try {
          res = await fetch(target, {
            headers: auth ? { authorization: auth } : {},
            signal: AbortSignal.timeout(30_000),
          });
        } catch (err) {
          throw new WattstreamError('WS_WEB_UPSTREAM_UNAVAILABLE', `${prefix.slice(1)} is not answering`, {
            statusCode: 502,
            cause: err,
          });
        }
        for (const h of ['content-type', 'content-disposition', 'retry-after']) {
          const v = res.headers.get(h);
          if (v) reply.header(h, v);
        }
        return reply.status(res.status).send(Buffer.from(await res.arrayBuffer()));
      });
    }
  },
});
