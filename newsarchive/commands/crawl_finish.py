"""Finish a crawl shared by Redis workers: report its keys, merge its files, delete its keys.

Workers keep the shared queue and duplicate filter in Redis after they stop
(SCHEDULER_PERSIST), so that one stopped worker never wipes the frontier of
the others. This command is the explicit end: it reports the crawl's keys
(queued requests, seen fingerprints, registered workers, memory), with --out
it writes the crawl's combined CDXJ index, manifest and report (report.json,
report.txt: pages, articles, failures and field coverage) over every worker's
files (first finishing the files a worker killed with kill -9 left open: cut
after their last complete record, and rebuilding from its WARC files the
articles it archived but had not exported yet), and it deletes every key of
the crawl id, including the crawl's run links in the plan state
(newsarchive:state:PLAN:crawl_run:SITE:ID). It refuses while a worker is
alive or requests are still queued, unless --force. The rest of the plan's
incremental crawl state (newsarchive:state:PLAN:*) is kept: the next crawl
needs it.

Example:
  newsarchive crawl-finish 20261125-news --redis redis://127.0.0.1:6379/0 --out output/news
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

HELP = "report and delete a Redis-shared crawl's keys; merge its workers' index and manifest"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("crawl_id", metavar="ID", help="the crawl id the workers shared")
    parser.add_argument(
        "--redis",
        required=True,
        metavar="URL",
        help="Redis server of the crawl, redis://HOST:PORT/DB",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="the crawl's output folder (holding workers/): write the "
        "combined index.cdxj, manifest.json and report.json there",
    )
    parser.add_argument(
        "--keep", action="store_true", help="report (and merge) only; delete nothing"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="delete even while workers are alive or requests are queued",
    )
    parser.add_argument(
        "--stale-after",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="a worker without a heartbeat for this long counts as dead",
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def gather(client: Any, crawl_id: str, stale_after: float) -> dict[str, Any]:
    """The crawl's keys, queue and filter sizes, and workers (live or stale)."""
    from newsarchive.distributed.heartbeats import is_alive
    from newsarchive.distributed.inventory import crawl_heartbeats, crawl_keys

    keys = crawl_keys(client, crawl_id)
    now = time.time()
    workers = [
        {**asdict(b), "alive": is_alive(b, now, stale_after), "registry": name}
        for name, b in crawl_heartbeats(client, crawl_id)
    ]
    memory = [k.memory_bytes for k in keys if k.memory_bytes is not None]
    queues = [k for k in keys if k.role == "queued requests"]
    return {
        "crawl_id": crawl_id,
        "keys": [asdict(k) for k in keys],
        "queued_requests": sum(k.size for k in queues),
        "left_by_page_budget": sum(k.size for k in queues if queue_budget_spent(client, k.name)),
        "inflight_requests": sum(k.size for k in keys if k.role == "in-flight requests"),
        "seen_fingerprints": sum(k.size for k in keys if k.role == "seen request fingerprints"),
        "workers": workers,
        "live_workers": [w["worker"] for w in workers if w["alive"]],
        "memory_bytes": sum(memory) if memory else None,
    }


def queue_budget_spent(client: Any, queue_key: str) -> bool:
    """Whether the page budget (``--max-pages``) of the queue's crawl (and site) is spent.

    The queue is ``PREFIX:SPIDER:requests``, its budget ``PREFIX:pages``: what is left on
    a queue whose budget ended the crawl is not work remaining.
    """
    from newsarchive.distributed.pagebudget import PAGES_PART, budget_spent

    return budget_spent(client, f"{queue_key.rsplit(':', 2)[0]}:{PAGES_PART}")


def format_report(report: dict[str, Any]) -> str:
    lines = [f"Crawl {report['crawl_id']}: {len(report['keys'])} Redis keys"]
    for key in report["keys"]:
        memory = f"{key['memory_bytes']} B" if key["memory_bytes"] is not None else "? B"
        lines.append(f"  {key['name']}  {key['type']}  {key['size']} ({key['role']})  {memory}")
    left = report["left_by_page_budget"]
    lines.append(
        f"  queued requests: {report['queued_requests']}   "
        + (f"(left by a spent --max-pages: {left})   " if left else "")
        + f"in flight: {report['inflight_requests']}   "
        f"seen fingerprints: {report['seen_fingerprints']}   "
        f"memory: {report['memory_bytes'] or 0} B"
    )
    for worker in report["workers"]:
        state = "alive" if worker["alive"] else "stale"
        lines.append(
            f"  worker {worker['worker']} ({state}, {worker['responses']} responses, "
            f"{worker['out_dir']})"
        )
    merge = report.get("merge")
    if merge:
        lines.append(
            f"Merged {len(merge['workers'])} workers: {merge['index']} "
            f"({merge['index_lines']} lines), {merge['manifest']}, {merge['report']}"
        )
        for rebuilt in merge.get("rebuilt", []):
            lines.append(
                f"Rebuilt {rebuilt['records']} article records of killed worker "
                f"{rebuilt['worker']} from its WARC files ({rebuilt['already_exported']} "
                f"exported by a worker, {rebuilt['earlier_runs']} by an earlier run)"
            )
        lines.extend(f"  warning: {w}" for w in merge["warnings"])
    if "deleted" in report:
        lines.append(f"Deleted {report['deleted']} keys; {report['remaining']} remain.")
    return "\n".join(lines)


def refusal(report: dict[str, Any]) -> str | None:
    """Why deleting now would hurt a crawl that is not over (None when it is over)."""
    if report["live_workers"]:
        return (
            f"{len(report['live_workers'])} worker(s) still alive: "
            f"{', '.join(report['live_workers'])}; stop them first"
        )
    if report["inflight_requests"]:
        return (
            f"{report['inflight_requests']} requests were held by workers that died (start a "
            "worker with the same --crawl-id: it puts them back on the queue and fetches "
            "them)"
        )
    if report["queued_requests"] > report["left_by_page_budget"]:
        return (
            f"{report['queued_requests'] - report['left_by_page_budget']} requests are still "
            "queued (start a worker with the same --crawl-id to finish them)"
        )
    return None


def plan_state(client: Any, crawl_id: str) -> Any:
    """The Redis crawl state of the plan whose sites the crawl ran (None for a URL crawl)."""
    from newsarchive.distributed.inventory import crawl_run_keys
    from newsarchive.distributed.state import RedisCrawlState

    plans = sorted({plan for _, plan, _ in crawl_run_keys(client, crawl_id)})
    if len(plans) > 1:
        print(
            f"newsarchive crawl-finish: crawl {crawl_id} ran in several plans "
            f"({', '.join(plans)}): rebuilt articles are not checked against earlier runs",
            file=sys.stderr,
        )
    return RedisCrawlState(client, plans[0]) if len(plans) == 1 else None


def digest_index_opener(client: Any, crawl_id: str, state: Any) -> Any:
    """Opens the workers' shared payload-digest index (the plan's, or the crawl's) for a folder."""
    from newsarchive.crawlfolder import plan_site_of
    from newsarchive.distributed.digests import RedisDigestIndex, digests_key

    plan = getattr(state, "plan", None)
    key = digests_key({"NEWSARCHIVE_PLAN_NAME": plan, "NEWSARCHIVE_CRAWL_ID": crawl_id})
    return lambda warc_dir: RedisDigestIndex.for_folder(
        client, key, warc_dir, plan_site_of(warc_dir.parent) if plan else None
    )


def run(args: argparse.Namespace) -> int:
    import redis

    from newsarchive.distributed.inventory import crawl_key_names, delete_crawl_keys
    from newsarchive.distributed.keys import check_name

    try:
        check_name(args.crawl_id)
        client = redis.Redis.from_url(args.redis, decode_responses=True, socket_timeout=30)
        client.ping()
    except ValueError as exc:
        print(f"newsarchive crawl-finish: {exc}", file=sys.stderr)
        return 2
    except redis.RedisError as exc:
        print(
            f"newsarchive crawl-finish: cannot reach Redis at {args.redis}: {exc}", file=sys.stderr
        )
        return 2
    report = gather(client, args.crawl_id, args.stale_after)
    status = 0
    if args.out is not None:
        from newsarchive.distributed.merge import merge_crawl

        try:
            live = {Path(w["out_dir"]).name for w in report["workers"] if w["alive"]}
            state = plan_state(client, args.crawl_id)
            result = merge_crawl(
                args.out,
                args.crawl_id,
                recover=True,
                live_workers=live,
                min_age=args.stale_after,
                state=state,
                digest_index=digest_index_opener(client, args.crawl_id, state),
            )
            report["merge"] = {
                **asdict(result),
                "index": str(result.index),
                "manifest": str(result.manifest),
                "report": str(result.report),
            }
        except (OSError, ValueError) as exc:
            print(f"newsarchive crawl-finish: merge failed: {exc}", file=sys.stderr)
            status = 1
    reason = None if args.keep or args.force else refusal(report)
    if reason:
        print(
            f"newsarchive crawl-finish: not deleting: {reason} (or pass --force)", file=sys.stderr
        )
        status = 1
    elif not args.keep:
        report["deleted"] = delete_crawl_keys(client, args.crawl_id)
        report["remaining"] = len(crawl_key_names(client, args.crawl_id))
    print(json.dumps(report, indent=2, default=str) if args.json else format_report(report))
    return status
