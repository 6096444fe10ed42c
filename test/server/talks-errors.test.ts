// The talks room's use cases raise domain errors (src/errors.ts), not HTTP errors: called directly they
// say what kind of refusal it is and which field is at fault; through the API the edge (src/server/http.ts)
// gives each kind its one status, with the field path as an issue.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DomainError, type ErrorKind, invalid } from '../../src/errors.ts';
import { httpErrorOf, STATUS_OF } from '../../src/server/http.ts';
import { type Room, setupRoom } from './talks-helpers.ts';

describe('talks errors', () => {
  let room: Room;
  before(async () => {
    room = await setupRoom();
  });
  after(() => room.srv.close());

  test('httpErrorOf gives each kind its own status and keeps code, message and field path', () => {
    const kinds = Object.keys(STATUS_OF) as ErrorKind[];
    assert.equal(new Set(kinds.map((k) => STATUS_OF[k])).size, kinds.length);
    const h = httpErrorOf(invalid('parties are delegations', { path: 'parties' }));
    assert.deepEqual(
      { status: h.status, code: h.code, message: h.message, details: h.details },
      {
        status: 400,
        code: 'invalid_request',
        message: 'parties are delegations',
        details: { issues: [{ path: 'parties', message: 'parties are delegations' }] },
      },
    );
    const nf = httpErrorOf(new DomainError('not_found', 'no such draft'));
    assert.equal(nf.status, 404);
    assert.equal(nf.details, undefined);
  });

  test('a use case called without HTTP refuses with a domain error naming the field', async () => {
    const talks = room.srv.services.talks!;
    const user = (await room.srv.services.store.userByEmail('host@example.org'))!;
    await assert.rejects(
      talks.room.convene(user, room.ws, {
        codename: 'SAME SIDE',
        hostLabel: 'Host',
        scenarios: ['korea-intercept.yaml'],
        delegations: [
          { label: 'A', actor: 'US', kind: 'delegation' },
          { label: 'B', actor: 'US', kind: 'delegation' },
        ],
      }),
      (e: unknown) =>
        e instanceof DomainError &&
        e.kind === 'invalid' &&
        e.path === 'delegations' &&
        /at least two delegations of different actors/.test(e.message),
    );
    const caller = await talks.room.caller(room.dlg, user);
    await assert.rejects(
      talks.room.deleteDraft(caller, '00000000-0000-4000-8000-000000000000'),
      (e: unknown) => e instanceof DomainError && e.kind === 'not_found' && e.message === 'no such draft',
    );
  });

  test('through the API the same refusal is a 400 with the field path as an issue', async () => {
    const r = await room.us.post(`/api/talks/${room.dlg}/releases`, {
      kind: 'gap',
      scenario: 'korea-intercept.yaml',
      trigger: '*',
      to: 'nobody',
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'invalid_request');
    assert.equal(r.body.error.message, 'release to another delegation (by id) or to "observers"');
    assert.deepEqual(r.body.error.issues, [
      { path: 'to', message: 'release to another delegation (by id) or to "observers"' },
    ]);
  });
});
