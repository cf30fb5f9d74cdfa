// How the console writes times, durations and JSON values.

/** "1.2 s", "3 min 4 s", "2 h 5 min", "850 ms". */
export function formatDuration(millis) {
  if (millis === null || millis === undefined || Number.isNaN(millis)) return '';
  if (millis < 1000) return `${Math.max(0, Math.round(millis))} ms`;
  const seconds = millis / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.floor(seconds % 60)} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Local date and time to the second, "2026-11-25 10:00:03". */
export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const pad = (n, width = 2) => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
         `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** "5 s ago", "3 min ago", or the time itself when older than a day. */
export function formatAgo(iso, now = Date.now()) {
  const millis = now - Date.parse(iso);
  if (Number.isNaN(millis)) return '';
  if (millis < 0) return 'just now';
  if (millis < 86_400_000) return formatDuration(millis).replace(/ \d+ (s|min)$/, '') + ' ago';
  return formatTime(iso);
}

/** An execution's run time: to its stop, or to now while it runs. */
export function executionDuration(execution, now = Date.now()) {
  const start = Date.parse(execution.start_time);
  const stop = execution.stop_time ? Date.parse(execution.stop_time) : now;
  return stop - start;
}

/** A JSON value for reading, indented; `undefined` (never recorded) says so. */
export function formatJson(value) {
  if (value === undefined) return '(not recorded)';
  return JSON.stringify(value, null, 2);
}
