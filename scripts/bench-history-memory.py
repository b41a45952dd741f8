#!/usr/bin/env python3
# bench-history-memory.py PORT N SIZE [TIMEOUT_S]: fills channel "huge" of the server at PORT with N
# entries of SIZE-character JSON strings, then GETs its whole history (limit=1000) 3 times one after
# the other and 2 at once, each body streamed and counted, not held; prints status, framing, bytes.
import http.client, json, sys, time, threading
port, n, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
def conn(): return http.client.HTTPConnection("127.0.0.1", port, timeout=float(sys.argv[4]) if len(sys.argv) > 4 else 600)
c = conn(); t0 = time.time()
if n == 0: print("no fill (channel already filled)")
for i in range(n):
    c.request("POST", "/api/realtime/channels/huge/events",
              body=json.dumps({"event": "n", "data": ("%06d" % i) + "x" * (size - 6)}),
              headers={"Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    if r.status != 201: print("fill", i, r.status); sys.exit(1)
print(f"filled {n} x {size} B in {time.time()-t0:.1f}s", flush=True)
def get(tag):
    t0 = time.time()
    try:
        cc = conn(); cc.request("GET", "/api/realtime/channels/huge/history?limit=1000"); r = cc.getresponse()
        total, last = 0, b""
        while True:
            b = r.read(1 << 20)
            if not b: break
            total += len(b); last = (last + b)[-16:]
        ok = last.endswith(b'"}]')
        print(f"{tag}: status {r.status} {r.getheader('Transfer-Encoding') or 'CL=' + str(r.getheader('Content-Length'))} "
              f"{total} bytes complete={ok} {time.time()-t0:.2f}s", flush=True)
    except Exception as e:
        print(f"{tag}: FAILED {type(e).__name__}: {e} after {time.time()-t0:.2f}s", flush=True)
for k in range(3): get(f"seq{k+1}")
th = [threading.Thread(target=get, args=(f"conc{k+1}",)) for k in range(2)]
[t.start() for t in th]; [t.join() for t in th]
