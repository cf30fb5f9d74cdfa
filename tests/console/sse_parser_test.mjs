// Unit tests of the console's server-sent events parser (api/console/static/js/sse_parser.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SseParser } from '../../api/console/static/js/sse_parser.js';

function parse(...pieces) {
  const messages = [];
  const parser = new SseParser((message) => messages.push(message));
  for (const piece of pieces) parser.push(piece);
  return { messages, parser };
}

test('events cut at any point come out whole, with their id and type', () => {
  const stream = 'retry: 2000\n\nid: 1\nevent: ExecutionStarted\ndata: {"id":1}\n\n' +
                 ': keep-alive\n\nid: 2\nevent: end\ndata: {"status":"SUCCEEDED"}\n\n';
  for (let cut = 0; cut <= stream.length; ++cut) {
    const { messages, parser } = parse(stream.slice(0, cut), stream.slice(cut));
    assert.deepEqual(messages, [
      { event: 'ExecutionStarted', data: '{"id":1}', id: '1' },
      { event: 'end', data: '{"status":"SUCCEEDED"}', id: '2' },
    ], `cut at ${cut}`);
    assert.equal(parser.retryMillis, 2000);
  }
});

test('CRLF and CR line ends, multi-line data and a missing event name', () => {
  const { messages } = parse('data: a\r\ndata: b\r\n\r\n', 'data:c\r', '\r\n');
  assert.deepEqual(messages, [
    { event: 'message', data: 'a\nb', id: '' },
    { event: 'message', data: 'c', id: '' },
  ]);
});

test('a comment or an event without data dispatches nothing', () => {
  const { messages } = parse(': hello\n\nevent: x\n\n');
  assert.deepEqual(messages, []);
});
