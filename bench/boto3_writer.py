"""Write N rows of the bench table with boto3's Table.batch_writer(), the
library a Python user would reach for instead of ddb_fdw.  Prints one JSON
line: wall seconds, CPU seconds and RSS growth of this process, measured
after the imports and client set-up.  Optional third and fourth arguments:
the first id (default 1, so several writers can share a table) and the
table (default bench)."""
import json
import resource
import sys
import time

import boto3


def rss_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def main():
    endpoint, n = sys.argv[1], int(sys.argv[2])
    first = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    name = sys.argv[4] if len(sys.argv) > 4 else "bench"
    table = boto3.resource(
        "dynamodb", endpoint_url=endpoint, region_name="us-east-2",
        aws_access_key_id="bench", aws_secret_access_key="bench",
    ).Table(name)
    rss0 = rss_kb("VmRSS")
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    with table.batch_writer() as batch:
        for g in range(first, first + n):
            batch.put_item(Item={"user_id": g, "item_id": g * 10,
                                 "category_id": g % 100, "behavior": "pv"})
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"wall": wall, "cpu": cpu, "rss_growth_kb": max(peak - rss0, 0)}))


if __name__ == "__main__":
    main()
