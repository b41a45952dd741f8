#!/usr/bin/env python3
# bench-history.py PORT_A PORT_B N WARMUP [TAG]: fills the same channels on two running servers (two
# builds to compare, A and B), then times GET history on both, interleaved (alternating which goes
# first), over keep-alive connections, reading whole bodies; prints median/p90 per case and B/A.
import http.client, json, sys, time, statistics
old_port, new_port, N, WARM = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=120) for p in (old_port, new_port)}

def req(port, method, path, body=None):
    c = conns[port]
    hdrs = {"Content-Type": "application/json"} if body is not None else {}
    c.request(method, path, body=body, headers=hdrs)
    r = c.getresponse(); data = r.read()
    return r.status, data, r.getheader("Content-Length"), r.getheader("Transfer-Encoding")

def fill(port, ch, n, size):
    for i in range(n):
        d = json.dumps({"event": "n", "data": ("%06d" % i) + "x" * (size - 6)})
        st, _, _, _ = req(port, "POST", f"/api/realtime/channels/{ch}/events", d)
        assert st == 201, st

tag = sys.argv[5] if len(sys.argv) > 5 else ""
cases = [("small" + tag, 200), ("big" + tag, 10_000)]
for ch, size in cases:
    for p in (old_port, new_port):
        fill(p, ch, 1000, size)
queries = [("", "oldest 1000"), ("?latest=true", "latest=true (1000)"), ("?limit=50&latest=true", "limit=50&latest=true")]
print(f"{'case':34} {'OLD med/p90 ms':>16} {'NEW med/p90 ms':>16} {'NEW/OLD med':>11}  bytes  NEW framing")
for ch, size in cases:
    for q, label in queries:
        path = f"/api/realtime/channels/{ch}/history{q}"
        # sanity: same body on both
        so, bo, _, _ = req(old_port, "GET", path); sn, bn, cl, te = req(new_port, "GET", path)
        assert so == sn == 200 and [(e['event'], e['data']) for e in json.loads(bo)] == [(e['event'], e['data']) for e in json.loads(bn)], (so, sn)
        cnt = len(json.loads(bn))
        t = {old_port: [], new_port: []}
        for i in range(WARM + N):
            order = (old_port, new_port) if i % 2 == 0 else (new_port, old_port)
            for p in order:
                t0 = time.perf_counter(); st, b, _, _ = req(p, "GET", path); dt = time.perf_counter() - t0
                assert st == 200
                if i >= WARM: t[p].append(dt * 1000)
        def mp(xs):
            xs = sorted(xs); return statistics.median(xs), xs[int(0.9 * len(xs)) - 1]
        mo, po = mp(t[old_port]); mn, pn = mp(t[new_port])
        fr = f"CL={cl}" if cl else f"TE={te}"
        print(f"{ch+' '+str(size)+'B '+label+' n='+str(cnt):34} {mo:7.2f}/{po:7.2f} {mn:7.2f}/{pn:7.2f} {mn/mo:10.2f}x  {len(bn)}  {fr}", flush=True)
