import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOpenImClient } from './client.js';
import { OpenImUnreachableError } from './errors.js';

const SECRET = 'share-yml-secret-4c1f';
const TOKEN = 'admin-token-9e27';

interface Seen {
  path: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A real HTTP server on a free port that records every request before `answer` replies. */
async function serve(answer: (seen: Seen, res: ServerResponse) => void) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(request);
      answer(request, res);
    });
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const envelope = (data: unknown) => JSON.stringify({ errCode: 0, errMsg: '', errDlt: '', data });

/** The second server: answers like OpenIM would, and records whether the secret or the token reached it. */
async function elsewhere() {
  const target = await serve((_seen, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(envelope({ token: TOKEN, members: [] }));
  });
  const leaked = () =>
    target.seen.filter((s) => s.body.includes(SECRET) || JSON.stringify(s.headers).includes(TOKEN)).length;
  return { ...target, leaked };
}

function client(baseUrl: string) {
  return createOpenImClient({ baseUrl, secret: SECRET, adminUserID: 'imAdmin', timeoutMs: 5000 });
}

describe('redirects', () => {
  it.each([301, 302, 303, 307, 308])(
    'a %i on the token call is an error, and the secret never reaches the Location',
    async (status) => {
      const target = await elsewhere();
      const origin = await serve((seen, res) => {
        res.writeHead(status, { location: `${target.url}${seen.path}?from=origin` }).end();
      });
      const err = await client(origin.url)
        .getGroupMemberUserIDs('g1')
        .catch((e: unknown) => e);

      expect(err).toBeInstanceOf(OpenImUnreachableError);
      expect(err).toMatchObject({ code: `HTTP ${status}`, path: '/auth/get_admin_token' });
      const { message } = err as Error;
      expect(message).toContain(`HTTP ${status}`);
      expect(message).toContain(`Location ${target.url}/auth/get_admin_token`);
      expect(message).not.toContain('from=origin');
      expect(message).not.toContain(SECRET);
      expect(origin.seen).toHaveLength(1);
      expect(origin.seen[0]?.body).toContain(SECRET);
      expect(target.seen).toEqual([]);
      expect(target.leaked()).toBe(0);
    },
  );

  it('a redirect of a call made with the token is an error, and the token never reaches the Location', async () => {
    const target = await elsewhere();
    // OpenIM itself hands out the token; a proxy in front of its group API redirects.
    const origin = await serve((seen, res) => {
      if (seen.path === '/auth/get_admin_token') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(envelope({ token: TOKEN }));
        return;
      }
      res.writeHead(307, { location: `http://ops:pa55@127.0.0.1:${new URL(target.url).port}/moved` }).end();
    });
    const err = await client(origin.url)
      .getGroupMemberUserIDs('g1')
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(OpenImUnreachableError);
    expect(err).toMatchObject({ code: 'HTTP 307', path: '/group/get_group_member_user_id' });
    expect((err as Error).message).toContain(`Location ${target.url}/moved`);
    expect((err as Error).message).not.toMatch(/pa55|ops:|share-yml|admin-token/);
    expect(origin.seen.map((s) => s.path)).toEqual(['/auth/get_admin_token', '/group/get_group_member_user_id']);
    expect(origin.seen[1]?.headers.token).toBe(TOKEN);
    expect(target.seen).toEqual([]);
    expect(target.leaked()).toBe(0);
  });

  it('names a redirect without a Location as such', async () => {
    const origin = await serve((_seen, res) => res.writeHead(302).end());
    const err = await client(origin.url)
      .listGroups()
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'OpenImUnreachableError', code: 'HTTP 302' });
    expect((err as Error).message).toContain('no Location');
  });
});
