// RequestActivity: the appliance counts as quiet (larger batches of jobs may run) only while no
// request but the desktop shell's /health poll has come in for a while.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import express from 'express';
import { RequestActivity } from '../../server/core/http/activity.js';

describe('RequestActivity', () => {
  it('is quiet until a request comes in, not for /health, and again once quietMs has passed', async () => {
    const activity = new RequestActivity(150);
    const app = express();
    app.use(activity.track);
    app.get(['/health', '/api/v1/conversations'], (_req, res) => void res.json({ ok: true }));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal(activity.quiet(), true, 'quiet before any request');
      await fetch(`${base}/health`);
      assert.equal(activity.quiet(), true, '/health does not count');
      await fetch(`${base}/api/v1/conversations`);
      assert.equal(activity.quiet(), false, 'a request does');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(activity.quiet(), true, 'quiet again after quietMs');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
