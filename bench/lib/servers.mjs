// Baseline servers for the ingress benchmark. Each runs in its own process
// (`node lib/servers.mjs <kind>`, PORT from the environment), so the load
// generator and the server do not share a core's event loop.
import { createServer } from 'node:http';

const ACK = '{"actionCode":0,"errCode":0,"errMsg":"","errDlt":"","nextCode":0}';
const port = Number(process.env.PORT);
const kind = process.argv[2];

if (kind === 'bare-http') {
  // The HTTP ceiling: read the body, parse the JSON, answer the ack.
  createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(ACK);
    });
  }).listen(port, '127.0.0.1', () => process.send?.('ready'));
} else if (kind === 'bare-hono') {
  // The framework ceiling: the same work in a Hono app on @hono/node-server.
  const { Hono } = await import('hono');
  const { serve } = await import('@hono/node-server');
  const app = new Hono();
  app.post('/callback/:command', async (c) => {
    JSON.parse(await c.req.text());
    return c.body(ACK, 200, { 'content-type': 'application/json' });
  });
  serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => process.send?.('ready'));
} else if (kind === 'receiver') {
  // The App's endpoint for the http sink: answers 200 to everything.
  createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end());
  }).listen(port, '127.0.0.1', () => process.send?.('ready'));
} else {
  throw new Error(`unknown server kind ${kind}`);
}
