// The workbench's HTTP application: the API route table, the OpenAPI document, and the built web app.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { mountRoutes, type RouteDef, type Services } from './http.ts';
import { loopDelay, metricsAllowed, prometheusText } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { analysisRoutes } from './routes/analyses.ts';
import { authRoutes } from './routes/auth.ts';
import { exerciseRoutes } from './routes/exercises.ts';
import { invitationRoutes } from './routes/invitations.ts';
import { runRoutes } from './routes/runs.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { systemRoutes } from './routes/system.ts';
import { talksRoutes } from './routes/talks.ts';
import { workspaceRoutes } from './routes/workspaces.ts';

/** Every API route. New feature modules (comparisons, talks rooms) add their list here. */
export const ROUTES: readonly RouteDef[] = [
  ...systemRoutes,
  ...authRoutes,
  ...workspaceRoutes,
  ...invitationRoutes,
  ...scenarioRoutes,
  ...runRoutes,
  ...analysisRoutes,
  ...talksRoutes,
  ...exerciseRoutes,
];

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function createApp(services: Services, opts: { webDir?: string } = {}): Hono {
  const app = new Hono();
  loopDelay(); // the event-loop monitor starts with the app, so /api/health covers the time since
  app.use('*', async (c, next) => {
    await next();
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'same-origin');
    c.header('x-frame-options', 'DENY');
    if (!c.req.path.startsWith('/api/')) c.header('content-security-policy', CSP);
    else c.header('cache-control', 'no-store');
  });
  const doc = openApiDocument(ROUTES);
  app.get('/api/openapi.json', (c) => c.json(doc));
  mountRoutes(app, ROUTES, services);
  // Prometheus' scrape target, outside the API and its sessions: loopback callers, or the operator's
  // BRINK_METRICS_TOKEN as a Bearer token (docs/decisions/0018-server-load.md).
  app.get('/metrics', async (c) => {
    if (!metricsAllowed(c, services, services.metricsToken)) {
      const body = {
        error: {
          code: 'forbidden',
          message: services.metricsToken
            ? '/metrics needs the operator token: Authorization: Bearer $BRINK_METRICS_TOKEN'
            : '/metrics answers callers on this machine only (set BRINK_METRICS_TOKEN to scrape it from elsewhere)',
        },
      };
      c.header('cache-control', 'no-store');
      return c.json(body, 403);
    }
    c.header('cache-control', 'no-store');
    return c.body(await prometheusText(services, services.metrics), 200, {
      'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    });
  });
  app.all('/api/*', (c) =>
    c.json(
      {
        error: {
          code: 'not_found',
          message: `no API route ${c.req.method} ${c.req.path} (see /api/openapi.json)`,
        },
      },
      404,
    ),
  );
  const webDir = opts.webDir;
  if (webDir && existsSync(join(webDir, 'index.html'))) {
    const index = readFileSync(join(webDir, 'index.html'), 'utf8');
    app.use('/assets/*', serveStatic({ root: webDir }));
    app.use('/favicon.svg', serveStatic({ root: webDir }));
    // Every other path is a page of the single-page app.
    app.get('*', (c) => c.html(index));
  } else {
    app.get('*', (c) =>
      c.text(
        'The web app is not built: run `npm run build` (the API is under /api/, see /api/openapi.json).',
        503,
      ),
    );
  }
  return app;
}
