// Live job updates over genq's own Pusher endpoint (pusher-js), with polling of
// request-status as the fallback: when pusher-js is not in this build, when the
// WebSocket does not connect, and as a slow safety net while it does.
import { api } from './api.js';

let connection = null;  // {pusher, channel, listeners:Set} once subscribed

// Connects once per sign-in; resolves with null when live updates are not available.
export async function connectRealtime() {
  if (connection) return connection;
  if (typeof window.Pusher !== 'function') return null;
  const { data: s } = await api('/api/v1/client/realtime');
  const secure = location.protocol === 'https:';
  const port = Number(location.port) || (secure ? 443 : 80);
  const pusher = new window.Pusher(s.key, {
    cluster: s.cluster,
    wsHost: location.hostname,
    wsPort: port,
    wssPort: port,
    forceTLS: secure,
    enabledTransports: ['ws', 'wss'],  // no SockJS fallback: it would load code from a CDN
    disableStats: true,
    channelAuthorization: {
      // The private channel is authorised with the API key in a header, like every call.
      customHandler: ({ socketId, channelName }, callback) => {
        api(s.auth_endpoint, { method: 'POST', body: { socket_id: socketId, channel_name: channelName } })
          .then((auth) => callback(null, auth), (e) => callback(e, null));
      },
    },
  });
  const channel = pusher.subscribe(s.channel);
  const listeners = new Set();
  channel.bind(s.event, (data) => { for (const l of listeners) l(data); });
  connection = { pusher, channel, listeners, subscribed: false };
  channel.bind('pusher:subscription_succeeded', () => { connection.subscribed = true; });
  return connection;
}

export function disconnectRealtime() {
  if (connection) connection.pusher.disconnect();
  connection = null;
}

const live = () => connection && connection.subscribed && connection.pusher.connection.state === 'connected';

// Follows one job until it is final: onUpdate gets {status, progress (number), preview}
// from events and polls, onFinal the full status document. Returns a stop function.
export function followJob(requestId, { onUpdate, onFinal, onError }) {
  let stopped = false;
  let timer = null;
  const listener = (e) => {
    if (stopped || e.request_id !== requestId) return;
    onUpdate({ status: e.status, progress: Number(e.progress), preview: e.preview });
    if (e.status === 'done' || e.status === 'error') poll();  // the final document has the result
  };
  if (connection) connection.listeners.add(listener);

  async function poll() {
    if (stopped) return;
    clearTimeout(timer);
    try {
      const { data } = await api(`/api/v1/client/request-status/${encodeURIComponent(requestId)}`);
      if (stopped) return;
      if (data.status === 'done' || data.status === 'error') {
        stop();
        onFinal(data);
        return;
      }
      onUpdate({ status: data.status, progress: data.progress, preview: data.preview, queue: data.queue_position });
    } catch (e) {
      if (e.status === 404 || e.status === 401) { stop(); onError(e); return; }
    }
    // Fast polls without the socket; with it, events carry progress and a poll every
    // 5 s only covers a missed event.
    timer = setTimeout(poll, live() ? 5000 : 1000);
  }
  function stop() {
    stopped = true;
    clearTimeout(timer);
    if (connection) connection.listeners.delete(listener);
  }
  poll();
  return stop;
}

export const realtimeState = () => (live() ? 'live (WebSocket)' : 'polling');
