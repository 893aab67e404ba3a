#!/usr/bin/env python3
"""Commits push-shaped etcd transactions (compare create_revision == 0, put a 40-hex ref) through
the v3 JSON gateway from THREADS clients for SECONDS, and prints transactions per second with
p50/p99 latency. Usage: scripts/etcd-txn-rate.py http://127.0.0.1:2379 THREADS [SECONDS]"""
import base64, http.client, json, sys, threading, time, urllib.parse

endpoint = urllib.parse.urlparse(sys.argv[1])
threads = int(sys.argv[2])
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 10
latencies, lock = [], threading.Lock()


def b64(text):
    return base64.b64encode(text.encode()).decode()


def client(index):
    connection = http.client.HTTPConnection(endpoint.hostname, endpoint.port)
    own, count, end = [], 0, time.time() + seconds
    while time.time() < end:
        key = "/guts-bench/repos/o/r%d/refs/heads/b%d" % (index, count)
        count += 1
        body = json.dumps({"compare": [{"result": "EQUAL", "target": "CREATE", "key": b64(key), "create_revision": "0"}],
                           "success": [{"request_put": {"key": b64(key), "value": b64("a" * 40)}}]})
        start = time.time()
        connection.request("POST", "/v3/kv/txn", body)
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit("etcd answered %d" % response.status)
        own.append(time.time() - start)
    with lock:
        latencies.extend(own)


workers = [threading.Thread(target=client, args=(i,)) for i in range(threads)]
for worker in workers:
    worker.start()
for worker in workers:
    worker.join()
latencies.sort()
print("clients=%d txn/s=%.0f p50=%.1fms p99=%.1fms" % (
    threads, len(latencies) / seconds, latencies[len(latencies) // 2] * 1e3, latencies[int(len(latencies) * 0.99)] * 1e3))
