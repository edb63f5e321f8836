"""Follow a redis-health-sidecar's /watch stream: act on its circuit breakers.

Standard library only (Python 3.8+). The same semantics as the Node client
(`redis-health-sidecar/client`):

- on connect the sidecar sends every target's state, then `synced`; then one event per change;
- a reconnect sends `Last-Event-ID`, so the sidecar replays what was missed (or a fresh snapshot);
- silent past two heartbeats, or unreachable: every state is `unknown` and `is_open()` is False,
  so the application falls back to its own timeouts (fail open).

    watch = SidecarWatch("http://127.0.0.1:19121")
    watch.wait_synced(5)
    value = watch.guard("cache", lambda: redis.get(key), lambda error=None: None)
"""

import http.client
import json
import random
import socket
import threading
import time
import urllib.parse
from datetime import datetime, timezone

DEFAULT_HEARTBEAT = 15.0


def _now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def unknown_state(target):
    return {"target": target, "breaker": "unknown", "up": None, "ready": None,
            "reason": None, "failing": [], "since": _now_iso()}


class SidecarWatch:
    """Follows /watch on a daemon thread; every method is safe to call from any thread."""

    def __init__(self, url, targets=None, headers=None, stale_after=None,
                 min_retry=0.5, max_retry=30.0):
        parsed = urllib.parse.urlsplit(url)
        path = parsed.path.rstrip("/")
        if not path.endswith("/watch"):
            path += "/watch"
        query = urllib.parse.urlencode([("target", name) for name in targets or []])
        self._scheme, self._netloc = parsed.scheme, parsed.netloc
        self._path = path + ("?" + query if query else "")
        self._headers = dict(headers or {})
        self._fixed_stale = stale_after
        self._stale_after = stale_after or 2 * DEFAULT_HEARTBEAT
        self._min_retry, self._max_retry = min_retry, max_retry
        self._lock = threading.Lock()
        self._states = {}
        self._listeners = []
        self._connection_listeners = []
        self._last_event_id = None
        self._synced = threading.Event()
        self._closed = threading.Event()
        self.connection = "connecting"
        self._conn = None
        self._thread = threading.Thread(target=self._run, name="sidecar-watch", daemon=True)
        self._thread.start()

    # What the application calls.

    def wait_synced(self, timeout=None):
        """True once the first snapshot has arrived."""
        return self._synced.wait(timeout)

    def state(self, name):
        with self._lock:
            return dict(self._states.get(name) or unknown_state(name))

    def states(self):
        with self._lock:
            return [dict(state) for state in self._states.values()]

    def is_open(self, name):
        """True while the breaker is open (or half-open after a failed trial): fail fast."""
        state = self.state(name)
        return state["breaker"] == "open" or (state["breaker"] == "half_open" and state["up"] is False)

    def guard(self, name, fn, fallback):
        """fallback() at once while the breaker is open; else fn(), and fallback(error) if it raises."""
        if self.is_open(name):
            return fallback()
        try:
            return fn()
        except Exception as error:  # noqa: BLE001 - the fallback decides what an error means
            return fallback(error)

    def on_change(self, listener):
        """listener(state, previous) for each target whose state changed (on the watch thread)."""
        self._listeners.append(listener)

    def on_connection(self, listener):
        """listener(connection, error) on 'synced', 'stale', 'connecting' and 'closed'."""
        self._connection_listeners.append(listener)

    def close(self):
        self._closed.set()
        self._set_connection("closed")
        conn = self._conn
        if conn is not None:
            try:
                conn.sock and conn.sock.shutdown(2)
            except OSError:
                pass
            conn.close()

    # The watch thread.

    def _run(self):
        attempts = 0
        while not self._closed.is_set():
            try:
                if self._follow():
                    attempts = 0
                    continue  # it ended cleanly after a sync (a slow reader cut off): resume
            except Exception as error:  # noqa: BLE001 - refused, timed out, bad events, a listener
                if self._closed.is_set():
                    return
                stale = isinstance(error, socket.timeout)
                self._forget_all("stale" if stale else "connecting", error)
            delay = min(self._max_retry, self._min_retry * 2 ** attempts)
            attempts += 1
            self._closed.wait(delay * (0.5 + random.random() / 2))

    def _follow(self):
        """One connection: reads events until the stream ends; True if it synced."""
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        conn = self._conn = cls(self._netloc, timeout=self._stale_after)
        headers = {"Accept": "text/event-stream", **self._headers}
        if self._last_event_id is not None:
            headers["Last-Event-ID"] = self._last_event_id
        conn.request("GET", self._path, headers=headers)
        response = conn.getresponse()
        if response.status != 200:
            raise http.client.HTTPException(f"{self._path} answered HTTP {response.status}")
        seen, synced = set(), False
        event, data = None, []
        while True:
            line = response.fp.readline()
            if not line:
                return synced
            line = line.decode("utf-8").rstrip("\r\n")
            if line == "":
                if data or event:
                    synced = self._dispatch(event or "message", "\n".join(data), seen) or synced
                event, data = None, []
                continue
            if line.startswith(":"):
                continue  # a heartbeat
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                event = value
            elif field == "data":
                data.append(value)
            elif field == "id":
                self._last_event_id = value

    def _dispatch(self, event, data, seen):
        if event == "state":
            state = json.loads(data)
            seen.add(state["target"])
            self._put(state["target"], state)
        elif event == "removed":
            self._put(json.loads(data)["target"], None)
        elif event == "synced":
            info = json.loads(data)
            if not info.get("resumed"):
                for name in [name for name in self._states if name not in seen]:
                    self._put(name, None)
            if self._fixed_stale is None and info.get("heartbeatMs"):
                self._stale_after = 2 * info["heartbeatMs"] / 1000
                self._conn.sock.settimeout(self._stale_after)
            self._set_connection("synced")
            self._synced.set()
            return True
        elif event == "shutdown":
            self._forget_all("connecting")
        return False

    def _put(self, name, state):
        with self._lock:
            previous = self._states.get(name)
            if state is None:
                self._states.pop(name, None)
            else:
                self._states[name] = state
        if state == previous:
            return
        current, previous = state or unknown_state(name), previous or unknown_state(name)
        for listener in self._listeners:
            listener(dict(current), dict(previous))

    def _forget_all(self, connection, error=None):
        with self._lock:
            known = [name for name, state in self._states.items() if state["breaker"] != "unknown"]
        for name in known:
            self._put(name, unknown_state(name))
        self._set_connection(connection, error)

    def _set_connection(self, connection, error=None):
        if connection == self.connection and error is None:
            return
        self.connection = connection
        for listener in self._connection_listeners:
            listener(connection, error)
