"""The ddb_fdw benchmark (bench/run.sh starts the servers and calls this).

For N rows of the seed's 4-column table, measured in one run, side by side:
  ddb_fdw INSERT ... SELECT generate_series, ddb_fdw COPY FROM a CSV file,
  boto3 Table.batch_writer(), and INSERT/COPY into a local UNLOGGED table,
against dynalite, a null sink, a 20 ms latency sink and a tail-latency sink
(5 % of the calls answered after 250 ms, the rest after 10 ms).  Through
the latency sinks the rate is also compared with what 50 requests in flight
allow: 50 requests x 25 items / the sink's mean latency.  For PostgreSQL the
numbers are the backend's own: CPU from /proc/self/stat and peak RSS from
/proc/self/status, read through pg_read_file in the same session, so a
fresh session per measurement makes the peak that statement's.
Every ddb_fdw run is checked: ddb_fdw_stats() must report N items written
with no error, and against dynalite the table is counted from outside.

Capacity (BENCH_CAPACITY_URL, test/fixtures/capacity.py in front of dynalite at 300
WCU with 1 s of burst): 6,000 rows by ddb_fdw INSERT ... SELECT and by boto3,
from one backend (process) and from four at once (1,500 rows each), each
against the capacity bound (5,700 rows beyond the burst at 300 a second:
19 s), with the calls the proxy throttled.  --capacity runs only these."""
import concurrent.futures
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PSQL = os.environ["BENCH_PSQL"].split()
ENDPOINTS = {
    "dynalite": os.environ["BENCH_DYNALITE_URL"],
    "null sink": os.environ["BENCH_NULL_URL"],
    "20 ms latency": os.environ["BENCH_LATENCY_URL"],
    "tail latency": os.environ["BENCH_TAIL_URL"],
}
# the sinks' mean answer time (bench/nginx.conf.in): the 20 ms sink's, and
# the tail sink's 95 % x 10 ms + 5 % x 250 ms
MEAN_LATENCY_S = {"20 ms latency": 0.020, "tail latency": 0.95 * 0.010 + 0.05 * 0.250}
IN_FLIGHT, BATCH = 50, 25
CAPACITY_URL = os.environ.get("BENCH_CAPACITY_URL")
CAPACITY_WCU = 300
CSV_DIR = os.environ["BENCH_CSV_DIR"]
TICKS = os.sysconf("SC_CLK_TCK")

PROBE = ("SELECT (split_part(pg_read_file('/proc/self/stat'), ' ', 14)::bigint"
         " + split_part(pg_read_file('/proc/self/stat'), ' ', 15)::bigint),"
         " (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\\s+(\\d+)'))[1],"
         " (regexp_match(pg_read_file('/proc/self/status'), 'VmHWM:\\s+(\\d+)'))[1],"
         " extract(epoch FROM clock_timestamp())")


def psql(*commands):
    """Run commands in one session, each its own transaction; rows of output."""
    args = PSQL + ["-X", "-q", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1"]
    for c in commands:
        args += ["-c", c]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    return [line.split("|") for line in out.stdout.splitlines() if line]


def ddb(endpoint, *args):
    env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench",
               AWS_REGION="us-east-2")
    out = subprocess.run([os.path.join(ROOT, "test", "helpers", "ddb"), "--endpoint", endpoint] + list(args),
                         check=True, capture_output=True, text=True, env=env)
    return out.stdout.strip()


def csv_file(n):
    path = os.path.join(CSV_DIR, f"rows_{n}.csv")
    if not os.path.exists(path):
        with open(path, "w") as f:
            for g in range(1, n + 1):
                f.write(f"{g},{g * 10},{g % 100},pv\n")
        os.chmod(path, 0o644)
    return path


def backend_run(statement, setup=(), check_stats=None):
    """One fresh session: probe, statement, probe (and ddb_fdw_stats)."""
    commands = list(setup) + ["SELECT ddb_fdw_stats_reset()", PROBE, statement, PROBE,
                              "SELECT items_written, requests, retries FROM ddb_fdw_stats()"]
    rows = psql(*commands)
    before, after, stats = rows[-3], rows[-2], rows[-1]
    result = {
        "wall": float(after[3]) - float(before[3]),
        "cpu": (int(after[0]) - int(before[0])) / TICKS,
        "rss_growth_kb": max(int(after[2]) - int(before[1]), 0),
        "items": int(stats[0]), "requests": int(stats[1]), "retries": int(stats[2]),
    }
    if check_stats is not None and result["items"] != check_stats:
        sys.exit(f"bench: {statement!r} wrote {result['items']} items, expected {check_stats}")
    return result


def ft_name(endpoint):
    return {"dynalite": "ft_dynalite", "null sink": "ft_null", "20 ms latency": "ft_latency",
            "tail latency": "ft_tail"}[endpoint]


def run_method(method, endpoint, n, options=""):
    url = ENDPOINTS[endpoint]
    if endpoint == "dynalite":
        ddb(url, "delete-table", "--if-exists", "bench")
        ddb(url, "create-table", "bench", "user_id:N", "item_id:N")
    setup = []
    if options:
        setup.append(f"ALTER FOREIGN TABLE {ft_name(endpoint)} OPTIONS ({options})")
    if method == "ddb_fdw INSERT":
        r = backend_run(f"INSERT INTO {ft_name(endpoint)} SELECT g, g * 10, g % 100, 'pv' "
                        f"FROM generate_series(1, {n}) g", setup, check_stats=n)
    elif method == "ddb_fdw COPY":
        r = backend_run(f"COPY {ft_name(endpoint)} FROM '{csv_file(n)}' (FORMAT csv)", setup,
                        check_stats=n)
    elif method == "boto3 batch_writer":
        out = subprocess.run([sys.executable, os.path.join(HERE, "boto3_writer.py"), url, str(n)],
                             check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
    else:
        raise ValueError(method)
    if options:
        psql(f"ALTER FOREIGN TABLE {ft_name(endpoint)} OPTIONS ("
             + ", ".join("DROP " + o.split()[1] for o in options.split(", ")) + ")")
    if endpoint == "dynalite":
        landed = int(ddb(url, "count", "bench"))
        if landed != n:
            sys.exit(f"bench: {method} into dynalite: {landed} items landed, expected {n}")
    return r


def run_local(method, n):
    if method == "local UNLOGGED INSERT":
        stmt = f"INSERT INTO local_ul SELECT g, g * 10, g % 100, 'pv' FROM generate_series(1, {n}) g"
    else:
        stmt = f"COPY local_ul FROM '{csv_file(n)}' (FORMAT csv)"
    psql("TRUNCATE local_ul")
    r = backend_run(stmt)
    count = int(psql("SELECT count(*) FROM local_ul")[0][0])
    if count != n:
        sys.exit(f"bench: {method}: {count} rows, expected {n}")
    return r


def setup():
    servers = []
    for endpoint, url in ENDPOINTS.items():
        srv = ft_name(endpoint).replace("ft_", "srv_")
        servers += [
            f"DROP SERVER IF EXISTS {srv} CASCADE",
            f"CREATE SERVER {srv} FOREIGN DATA WRAPPER ddb_fdw "
            f"OPTIONS (\"aws.region\" 'us-east-2', \"aws.endpoint\" '{url}')",
            f"CREATE USER MAPPING FOR CURRENT_USER SERVER {srv} OPTIONS "
            f"(\"aws.credentials.basic.accesskeyid\" 'bench', \"aws.credentials.basic.secretkey\" 'bench')",
            f"CREATE FOREIGN TABLE {ft_name(endpoint)} (user_id bigint, item_id bigint, "
            f"category_id bigint, behavior text) SERVER {srv} OPTIONS (\"table-name\" 'bench')",
        ]
    psql("CREATE EXTENSION IF NOT EXISTS ddb_fdw", *servers,
         "DROP TABLE IF EXISTS local_ul",
         "CREATE UNLOGGED TABLE local_ul (user_id bigint, item_id bigint, category_id bigint, behavior text)")


def fmt_row(label, endpoint, n, r):
    rate = n / r["wall"] if r["wall"] > 0 else float("inf")
    return {"label": label, "endpoint": endpoint, "n": n, "rate": rate,
            "cpu100k": r["cpu"] * 100000 / n, "rss_mb": r["rss_growth_kb"] / 1024,
            "wall": r["wall"]}


def measure(label, endpoint, n, fn, repeat):
    """Median of repeat runs by rows/s (boto3 and dynalite runs are slow: once)."""
    runs = []
    for i in range(repeat):
        print(f"bench: {label} -> {endpoint}, {n:,} rows ({i + 1}/{repeat})", file=sys.stderr, flush=True)
        runs.append(fmt_row(label, endpoint, n, fn()))
    runs.sort(key=lambda r: r["rate"])
    return runs[len(runs) // 2]


def capacity_run(method, backends, n=6000):
    """n rows into a fresh table behind the capacity proxy, split over backends at once."""
    import urllib.request
    url = CAPACITY_URL
    ddb(ENDPOINTS["dynalite"], "delete-table", "--if-exists", "capbench")
    ddb(ENDPOINTS["dynalite"], "create-table", "capbench", "user_id:N", "item_id:N")
    urllib.request.urlopen(url + "/__capacity/reset", data=b"{}").read()
    urllib.request.urlopen(url + "/__capacity/set",
                           data=json.dumps({"wcu": CAPACITY_WCU, "burst_s": 1}).encode()).read()
    share = n // backends

    def one(i):
        first = i * share + 1
        if method == "ddb_fdw INSERT":
            psql(f"INSERT INTO ft_capacity SELECT g, g * 10, g % 100, 'pv' "
                 f"FROM generate_series({first}, {first + share - 1}) g")
        else:
            subprocess.run([sys.executable, os.path.join(HERE, "boto3_writer.py"), url, str(share),
                            str(first), "capbench"], check=True, capture_output=True, text=True)
    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(backends) as pool:
        list(pool.map(one, range(backends)))
    wall = time.perf_counter() - t0
    stats = json.loads(urllib.request.urlopen(url + "/__capacity/stats").read())
    landed = int(ddb(ENDPOINTS["dynalite"], "count", "capbench"))
    if landed != n:
        sys.exit(f"bench: {method} x{backends} at {CAPACITY_WCU} WCU: {landed} items landed, expected {n}")
    return {"label": method, "backends": backends, "n": n, "wall": wall,
            "bound": (n - CAPACITY_WCU) / CAPACITY_WCU,
            "calls": stats["calls"], "throttled": stats["throttled_calls"]}


def capacity_table():
    if not CAPACITY_URL:
        return
    psql("CREATE EXTENSION IF NOT EXISTS ddb_fdw", "DROP SERVER IF EXISTS srv_capacity CASCADE",
         f"CREATE SERVER srv_capacity FOREIGN DATA WRAPPER ddb_fdw "
         f"OPTIONS (\"aws.region\" 'us-east-2', \"aws.endpoint\" '{CAPACITY_URL}')",
         "CREATE USER MAPPING FOR CURRENT_USER SERVER srv_capacity OPTIONS "
         "(\"aws.credentials.basic.accesskeyid\" 'bench', \"aws.credentials.basic.secretkey\" 'bench')",
         "CREATE FOREIGN TABLE ft_capacity (user_id bigint, item_id bigint, "
         "category_id bigint, behavior text) SERVER srv_capacity OPTIONS (\"table-name\" 'capbench')")
    runs = []
    for backends in (1, 4):
        for m in ("ddb_fdw INSERT", "boto3 batch_writer"):
            print(f"bench: {m} x{backends} -> {CAPACITY_WCU} WCU, 6,000 rows", file=sys.stderr, flush=True)
            runs.append(capacity_run(m, backends))
    print()
    print(f"| method | backends | rows | seconds | × capacity bound | throttled calls / calls | × boto3 (time) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in runs:
        boto = [b for b in runs if b["label"].startswith("boto3") and b["backends"] == r["backends"]][0]
        vs = f"{r['wall'] / boto['wall']:.2f}" if r["label"].startswith("ddb_fdw") else ""
        print(f"| {r['label']} | {r['backends']} | {r['n']:,} | {r['wall']:.1f} | {r['wall'] / r['bound']:.2f} "
              f"| {r['throttled']} / {r['calls']} | {vs} |")
    print()
    print(f"Capacity: test/fixtures/capacity.py at {CAPACITY_WCU} WCU with 1 s of burst in front of dynalite; "
          f"the bound is (rows - burst) / WCU = {(6000 - CAPACITY_WCU) / CAPACITY_WCU:.1f} s; "
          "four backends (boto3: processes) write 1,500 rows each at once. One run each.")


def guard_table(quick):
    """Version-guarded writes ("version-column": one conditional PutItem per
    item) against BatchWriteItem (25 items per request): same rows, same run."""
    plan = [("dynalite", 2000 if quick else 10000),
            ("null sink", 20000 if quick else 100000),
            ("20 ms latency", 5000 if quick else 20000)]
    runs = []
    for endpoint, n in plan:
        for label, options in (("batch", ""), ("version-column", "ADD \"version-column\" 'category_id'")):
            print(f"bench: {label} -> {endpoint}, {n:,} rows", file=sys.stderr, flush=True)
            r = run_method("ddb_fdw INSERT", endpoint, n, options)
            runs.append(dict(fmt_row(label, endpoint, n, r), requests=r["requests"]))
    print()
    print("| writes | endpoint | rows | requests | rows/s | CPU s / 100k rows | × batch |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in runs:
        batch = [b for b in runs if b["label"] == "batch" and b["endpoint"] == r["endpoint"]][0]
        print(f"| {r['label']} | {r['endpoint']} | {r['n']:,} | {r['requests']:,} | {r['rate']:,.0f} "
              f"| {r['cpu100k']:.2f} | {r['rate'] / batch['rate']:.2f} |")
    print()
    print("Guarded: every row one PutItem with its version condition, 50 in flight; batch: "
          "BatchWriteItem of 25. One run each; dynalite's rows all land (counted from outside).")


def main():
    if "--capacity" in sys.argv:
        capacity_table()
        return
    if "--guard" in sys.argv:
        setup()
        guard_table("--quick" in sys.argv)
        return
    quick = "--quick" in sys.argv
    small = 20000 if quick else 100000
    big = 100000 if quick else 1000000
    huge = 1000000 if quick else 10000000
    repeat = 1 if quick else 3
    ddb_methods = ["ddb_fdw INSERT", "ddb_fdw COPY"]
    plan = [
        # (endpoint, n, methods); dynalite itself writes a few thousand items
        # a second, so it gets the small N only
        ("dynalite", small, ddb_methods + ["boto3 batch_writer"]),
        ("null sink", small, ddb_methods + ["boto3 batch_writer"]),
        ("null sink", big, ddb_methods + ["boto3 batch_writer"]),
        ("20 ms latency", small, ddb_methods + ["boto3 batch_writer"]),
        ("20 ms latency", big, ddb_methods),
        ("tail latency", small, ddb_methods),
    ]
    setup()
    rows = []
    for n in sorted({small, big}):
        for m in ["local UNLOGGED INSERT", "local UNLOGGED COPY"]:
            rows.append(measure(m, "local", n, lambda: run_local(m, n), repeat))
    for endpoint, n, methods in plan:
        for m in methods:
            times = 1 if endpoint == "dynalite" or m.startswith("boto3") else repeat
            rows.append(measure(m, endpoint, n, lambda: run_method(m, endpoint, n), times))
    # what max-inflight buys on a network: one request at a time instead of 50
    one = 20000 if not quick else 5000
    rows.append(measure("ddb_fdw INSERT, max-inflight 1", "20 ms latency", one,
                        lambda: run_method("ddb_fdw INSERT", "20 ms latency", one,
                                           "ADD \"sink.requests.max-inflight\" '1'"), 1))
    # memory stays bounded however big the transaction: one INSERT statement
    rows.append(measure("ddb_fdw INSERT, one transaction", "null sink", huge,
                        lambda: run_method("ddb_fdw INSERT", "null sink", huge), 1))

    def find(label, endpoint, n):
        for r in rows:
            if r["label"] == label and r["endpoint"] == endpoint and r["n"] == n:
                return r
        return None

    print()
    print(f"| method | endpoint | rows | rows/s | CPU s / 100k rows | peak RSS growth (MB) "
          f"| × boto3 | × local UNLOGGED |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        boto = find("boto3 batch_writer", r["endpoint"], r["n"])
        if boto is None and r["endpoint"] == "20 ms latency":
            boto = find("boto3 batch_writer", r["endpoint"], small)
        local = find("local UNLOGGED " + ("COPY" if "COPY" in r["label"] else "INSERT"), "local", r["n"])
        vs_boto = f"{r['rate'] / boto['rate']:.1f}" if boto and r["label"].startswith("ddb_fdw") else ""
        vs_local = f"{r['rate'] / local['rate']:.2f}" if local and r["label"].startswith("ddb_fdw") else ""
        print(f"| {r['label']} | {r['endpoint']} | {r['n']:,} | {r['rate']:,.0f} | {r['cpu100k']:.2f} "
              f"| {r['rss_mb']:.1f} | {vs_boto} | {vs_local} |")
    print()
    print("CPU and RSS: the PostgreSQL backend's own for ddb_fdw and local rows, the Python "
          "process's for boto3 (measured after imports). × columns: ratio of rows/s (through "
          f"the 20 ms latency sink, boto3's {small:,}-row rate is the reference: its rate does not "
          f"depend on N). Medians of {repeat} runs except dynalite, boto3 and the last two rows.")
    latency_table(rows)
    null_ratio(find, big)
    guard_table(quick)
    capacity_table()


def latency_table(rows):
    """The latency sinks' rates against the bound of 50 requests in flight."""
    print()
    print("| method | endpoint | rows | mean latency (ms) | 50-in-flight bound (rows/s) | rows/s | × bound |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        latency = MEAN_LATENCY_S.get(r["endpoint"])
        if latency is None or not r["label"].startswith("ddb_fdw") or "max-inflight" in r["label"]:
            continue
        bound = IN_FLIGHT * BATCH / latency
        print(f"| {r['label']} | {r['endpoint']} | {r['n']:,} | {latency * 1000:.1f} | {bound:,.0f} "
              f"| {r['rate']:,.0f} | {r['rate'] / bound:.2f} |")
    print()
    print(f"Bound: {IN_FLIGHT} requests × {BATCH} items / mean latency, what "
          f"\"sink.requests.max-inflight\" {IN_FLIGHT} allows if every request were full and "
          "sent the moment another is answered.")


def null_ratio(find, n):
    """Issue 13's figure: the null sink's rate against a local UNLOGGED table, same rows, same run."""
    print()
    for method in ("INSERT", "COPY"):
        fdw = find("ddb_fdw " + method, "null sink", n)
        local = find("local UNLOGGED " + method, "local", n)
        if fdw and local:
            print(f"{n:,} rows into the null sink by {method}: {fdw['rate']:,.0f} rows/s, "
                  f"{fdw['rate'] / local['rate']:.2f} × local UNLOGGED {method} ({local['rate']:,.0f} rows/s)")


if __name__ == "__main__":
    main()
