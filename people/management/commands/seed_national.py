"""Seed a national-scale synthetic data set on PostgreSQL (see people/national.py)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from people import national


class Command(BaseCommand):
    help = (
        "Create a Wales-wide synthetic data set for load measurements (PostgreSQL only): 22 services, "
        "about 1,500 practitioners, 100,000 young people, about 2 million contacts. Use a scratch database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--children", type=int, default=100_000, help="young people (default 100,000)")
        parser.add_argument(
            "--contacts-per-child", type=int, default=20, help="contacts per young person on average (default 20)"
        )
        parser.add_argument(
            "--practitioners", type=int, default=1_500, help="practitioners across the 22 services (default 1,500)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--no-vacuum", action="store_true", help="skip the final VACUUM ANALYZE")

    def handle(
        self,
        *args,
        children: int,
        contacts_per_child: int,
        practitioners: int,
        seed: int,
        no_progress: bool,
        no_vacuum: bool,
        **options,
    ):
        if connection.vendor != "postgresql":
            raise CommandError(
                f"seed_national runs on PostgreSQL only; this database is {connection.vendor}. "
                "Point DATABASE_URL at a scratch PostgreSQL database, e.g. "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/nyth_national."
            )
        if children < 0 or contacts_per_child < 0 or practitioners < 22:
            raise CommandError("--children and --contacts-per-child must be 0 or more, --practitioners at least 22")
        started = time.monotonic()
        bar = _progress_bar(children, disable=no_progress)
        counts = national.seed_national(
            children=children,
            contacts_per_child=contacts_per_child,
            practitioners=practitioners,
            seed=seed,
            progress=bar.update,
            vacuum=not no_vacuum,
        )
        bar.close()
        elapsed = time.monotonic() - started
        for label, n in sorted(counts.rows.items()):
            self.stdout.write(f"  {label:<28} {n:>10,}")
        self.stdout.write(f"National data set ready in {elapsed:.1f} s ({elapsed / 60:.1f} min).")


def _progress_bar(total: int, *, disable: bool):
    try:
        from tqdm import tqdm
    except ImportError:  # a plain counter where tqdm is not installed
        return _Plain(total, disable)
    return tqdm(total=total, desc="young people", unit="yp", disable=disable, file=sys.stderr)


class _Plain:
    def __init__(self, total: int, disable: bool) -> None:
        self.total, self.done, self.disable = total, 0, disable

    def update(self, n: int) -> None:
        self.done += n
        if not self.disable:
            sys.stderr.write(f"\r{self.done:,}/{self.total:,} young people")
            sys.stderr.flush()

    def close(self) -> None:
        if not self.disable:
            sys.stderr.write("\n")
