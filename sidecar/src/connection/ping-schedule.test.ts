// Unit tests for the spread-out protocol ping schedule. Pure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPingSchedule } from './ping-schedule.ts';

void test('the default 25 s interval is swept in 25 one-second slices; the whole interval stays the period', () => {
  assert.deepEqual(buildPingSchedule(25_000), { tickMs: 1000, slices: 25 });
  assert.deepEqual(buildPingSchedule(60_000), { tickMs: 2400, slices: 25 });
});

void test('short intervals are one slice: every connection on every tick', () => {
  assert.deepEqual(buildPingSchedule(500), { tickMs: 500, slices: 1 });
  assert.deepEqual(buildPingSchedule(2500), { tickMs: 1250, slices: 2 });
});
