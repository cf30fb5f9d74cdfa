// The console's only way to the server: the read-only REST API under /v1 (docs/rest.md).
// Keeps the bearer token, if the server has one, in this tab's sessionStorage.

import { SseParser } from './sse_parser.js';

const TOKEN_KEY = 'stepwise.token';

/** An answer other than 2xx: `status` (HTTP), `error` and `message` from the JSON body. */
export class ApiError extends Error {
  constructor(status, error, message) {
    super(message);
    this.status = status;
    this.error = error;
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

function headers(extra = {}) {
  const all = { Accept: 'application/json', ...extra };
  if (token()) all.Authorization = 'Bearer ' + token();
  return all;
}

/** The URL of a resource: path segments are encoded, query values skipped when empty. */
function apiUrl(segments, query = {}) {
  const path = '/v1/' + segments.map(encodeURIComponent).join('/');
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

async function failure(response) {
  let body = {};
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's page, say): the status line is all there is to say.
  }
  return new ApiError(response.status, body.error ?? 'HTTP ' + response.status,
                      body.message ?? response.statusText);
}

/** GETs a resource and returns its JSON; throws ApiError. */
export async function getJson(segments, query = {}, { signal } = {}) {
  const response = await fetch(apiUrl(segments, query), { headers: headers(), signal });
  if (!response.ok) throw await failure(response);
  return response.json();
}

/**
 * Follows an execution's history live (GET /v1/executions/{id}/events), from after event
 * `after`. Calls `onEvent(historyEvent)` for each event in order, then `onEnd({status})` once
 * the execution has ended. Reconnects after a dropped connection, resuming after the last event
 * received; `onError(ApiError)` ends it for answers that retrying cannot fix (404, 401).
 * Returns `{close()}`.
 */
export function followEvents(executionId, { after = 0, onEvent, onEnd, onError }) {
  const controller = new AbortController();
  let lastId = String(after);
  let retryMillis = 2000;
  let closed = false;

  const close = () => {
    closed = true;
    controller.abort();
  };

  async function readOnce() {
    const url = apiUrl(['executions', executionId, 'events']);
    const response = await fetch(url, {
      headers: headers({ Accept: 'text/event-stream', 'Last-Event-ID': lastId }),
      signal: controller.signal,
      cache: 'no-store',
    });
    if (!response.ok) throw await failure(response);
    let ended = false;
    const parser = new SseParser(({ event, data, id }) => {
      if (event === 'end') {
        ended = true;
        onEnd?.(JSON.parse(data));
      } else if (event === 'error') {
        // The server cannot go on (it is stopping): reconnect and resume.
      } else {
        if (id) lastId = id;
        onEvent(JSON.parse(data));
      }
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      parser.push(value);
      if (parser.retryMillis !== null) retryMillis = parser.retryMillis;
    }
    return ended;
  }

  (async () => {
    while (!closed) {
      try {
        if (await readOnce()) return;
      } catch (error) {
        if (closed) return;
        if (error instanceof ApiError && error.status !== 503) {
          onError?.(error);
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, retryMillis));
    }
  })();
  return { close };
}
