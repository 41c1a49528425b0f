import { describe, expect, it } from 'vitest';
import { serverLock } from '../../../../src/harness/oracle/server-lock.ts';
import { traceFacts } from '../../../../src/harness/oracle/trace-facts.ts';
import { TraceBuilder, scenarioWith } from './trace-builder.ts';

const s = scenarioWith({ servers: 2 }, ['j1', 'j2']);
const check = (b: TraceBuilder) => serverLock(traceFacts(b.events, s));

describe('server-lock', () => {
  it('passes a second job sent to the same server while the first is pending', () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1', { server: 'http://s1' });
    b.submit('j2');
    b.submitted('j2', 'p2', { server: 'http://s1' });
    b.completed('j1', 'p1');
    b.completed('j2', 'p2');
    expect(check(b)).toEqual([]);
  });

  it('passes a job sent elsewhere once the lock was released', () => {
    const b = new TraceBuilder();
    b.submit('j1', { server: 0 });
    b.completed('j1', 'p1');
    b.submit('j2', { server: 1 });
    expect(check(b)).toEqual([]);
  });

  it('names a job of the same window sent to another server while the first was pending', () => {
    const b = new TraceBuilder();
    const first = b.submit('j1');
    const firstServer = b.submitted('j1', 'p1', { server: 'http://s1' });
    const second = b.submit('j2');
    const secondServer = b.submitted('j2', 'p2', { server: 'http://s2' });
    expect(check(b)).toEqual([
      {
        invariant: 'server-lock',
        job: 'j2',
        message: 'window "main" sent job j2 to server http://s2 while its job j1 was pending on server http://s1',
        evidence: [first.seq, firstServer.seq, second.seq, secondServer.seq],
      },
    ]);
  });

  it('reads the server from the simulator\'s tag on the queued line, and never compares tags with URLs', () => {
    const b = new TraceBuilder();
    const first = b.submit('j1');
    b.submitted('j1', 'p1');
    const q1 = b.prompt('queued', 'p1', { clientId: 'c1', server: 1 });
    const second = b.submit('j2');
    b.submitted('j2', 'p2');
    const q2 = b.prompt('queued', 'p2', { clientId: 'c1', server: 2 });
    expect(check(b)).toEqual([
      {
        invariant: 'server-lock',
        job: 'j2',
        message: 'window "main" sent job j2 to server 2 while its job j1 was pending on server 1',
        evidence: [first.seq, q1.seq, second.seq, q2.seq],
      },
    ]);
    const mixed = new TraceBuilder();
    mixed.submit('j1');
    mixed.submitted('j1', 'p1');
    mixed.prompt('queued', 'p1', { clientId: 'c1', server: 1 });
    mixed.submit('j2');
    mixed.submitted('j2', 'p2', { server: 'http://s2' });
    expect(check(mixed)).toEqual([]);
  });

  it("names a window's socket and history request sent to another server while its job was pending", () => {
    const b = new TraceBuilder();
    b.submit('j1');
    b.submitted('j1', 'p1');
    const queued = b.prompt('queued', 'p1', { clientId: 'c1', server: 1 });
    b.add({ kind: 'ws_connect', conn: 1, clientId: 'c1', sid: 's', server: 1 });
    const stray = b.add({ kind: 'ws_connect', conn: 2, clientId: 'c1', sid: 's2', server: 2 });
    const poll = b.add({ kind: 'http', method: 'GET', path: '/history/p1', query: '', status: 200, response: '{}', server: 2 });
    b.completed('j1', 'p1');
    b.add({ kind: 'ws_connect', conn: 3, clientId: 'c1', sid: 's3', server: 2 }); // after the lock was released
    expect(check(b)).toEqual([
      { invariant: 'server-lock', job: 'j1', message: 'window "main" opened a socket to server 2 while its job j1 was pending on server 1', evidence: [queued.seq, stray.seq] },
      {
        invariant: 'server-lock',
        job: 'j1',
        message: 'window "main" asked server 2 for the history of job j1, which was pending on server 1',
        evidence: [queued.seq, poll.seq],
      },
    ]);
  });
});
