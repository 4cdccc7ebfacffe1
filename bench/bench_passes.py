"""Benchmark: offline rider-pass verification against the bare Ed25519 check it wraps.

    python bench/bench_passes.py            # N = 20,000 distinct passes (~15 s)
    python bench/bench_passes.py --quick    # N = 2,000

Both sides run in this process, on one core, over the same (message, signature) pairs:

* bare: ``nacl.signing.VerifyKey.verify(message, signature)`` with the right key in hand;
* ours: ``gongzhi.lib.passes.verify(url, keyset, revocations, now, gate_area=...)`` on the
  scanned URL text, i.e. everything a gate does: extract the token, decode, parse, find the
  key, check the signature, the revocation list, the time window and the place.

The passes are cut into chunks of 500; each round times every chunk bare then ours, back to
back, and each side keeps each chunk's best time over the rounds. Pairing the two sides at
~30 ms apart, and keeping minima, filters out the other tenants of a shared machine far better
than whole-run timings. Target: ratio bare/ours >= 0.80.
"""

from __future__ import annotations

import argparse
import base64
import gc
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nacl.signing import VerifyKey  # noqa: E402

from gongzhi.lib import passes  # noqa: E402

TARGET_RATIO = 0.80
CHUNK = 500
NOW = 1_750_000_000  # fixed, so the run does not depend on the clock
DAY = 86_400
BASE_URL = "https://gz.example.cn"
GATE_AREA = "510185001001"
# A city's passes share a few area lists; every list honours GATE_AREA so every pass is valid.
AREA_LISTS: list[list[str]] = [[], ["510185"], ["510185001"], ["510185001", "510185002"], ["51"]]


def build(
    n: int,
) -> tuple[passes.KeySet, passes.RevocationList, list[str], list[tuple[VerifyKey, bytes, bytes]]]:
    """n distinct valid passes over two keys (mid-rotation), as URLs and as bare check inputs."""
    old, new = passes.PassSigner.generate(), passes.PassSigner.generate()
    keyset = passes.KeySet(
        [
            old.public_entry(not_before=NOW - 200 * DAY, not_after=NOW - 10 * DAY),
            new.public_entry(not_before=NOW - 10 * DAY, not_after=NOW + 170 * DAY),
        ],
        sequence=2,
        issued_at=NOW - 10 * DAY,
    )
    # A realistic revocation list; its serials are not the benchmark's, so every pass is valid.
    revocations = passes.RevocationList(
        sequence=9, issued_at=NOW - DAY, serials=frozenset(range(10**12, 10**12 + 1000))
    )
    urls: list[str] = []
    bare: list[tuple[VerifyKey, bytes, bytes]] = []
    verify_keys = {s.kid: VerifyKey(s.public_key) for s in (old, new)}
    for i in range(n):
        signer = old if i % 4 == 0 else new
        start = NOW - (20 + i % 7) * DAY if signer is old else NOW - (i % 9) * DAY
        token = signer.issue(
            serial=1 + i,
            rider_id=100_000 + i,
            valid_from=start,
            valid_until=start + 30 * DAY,
            areas=AREA_LISTS[i % len(AREA_LISTS)],
        )
        urls.append(passes.pass_url(BASE_URL, token))
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = raw[: -passes.SIGNATURE_LEN]
        bare.append((verify_keys[signer.kid], passes.PASS_SIGNING_CONTEXT + body, raw[len(body) :]))
    return keyset, revocations, urls, bare


def time_bare(pairs: list[tuple[VerifyKey, bytes, bytes]]) -> float:
    start = time.perf_counter()
    for key, message, signature in pairs:
        key.verify(message, signature)
    return time.perf_counter() - start


def time_ours(urls: list[str], keyset: passes.KeySet, revocations: passes.RevocationList) -> float:
    verify = passes.verify
    bad = 0
    start = time.perf_counter()
    for url in urls:
        if not verify(url, keyset, revocations, NOW, gate_area=GATE_AREA):
            bad += 1
    elapsed = time.perf_counter() - start
    if bad:
        raise SystemExit(f"{bad} benchmark passes did not verify: the benchmark is broken")
    return elapsed


def time_cryptography(pairs: list[tuple[VerifyKey, bytes, bytes]]) -> float | None:
    """The same check through ``cryptography``, for the record of why PyNaCl was chosen."""
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    except ImportError:
        return None
    keys = {bytes(k): Ed25519PublicKey.from_public_bytes(bytes(k)) for k, _, _ in pairs}
    prepared = [(keys[bytes(k)], m, s) for k, m, s in pairs]
    start = time.perf_counter()
    for key, message, signature in prepared:
        key.verify(signature, message)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small N, for a smoke run")
    parser.add_argument("-n", type=int, default=None, help="number of distinct passes")
    parser.add_argument("--rounds", type=int, default=None, help="alternating rounds per side")
    args = parser.parse_args(argv)
    n = args.n or (2_000 if args.quick else 20_000)
    rounds = args.rounds or 3

    keyset, revocations, urls, pairs = build(n)
    # Warm-up on both sides (caches, branch predictors, lazily built objects).
    time_bare(pairs[:200])
    time_ours(urls[:200], keyset, revocations)

    chunks = range(0, n, CHUNK)
    bare_chunk = [float("inf")] * len(chunks)
    ours_chunk = [float("inf")] * len(chunks)
    gc.disable()  # a collection landing in one side's chunk would be noise, not cost
    try:
        for _ in range(rounds):
            for i, start in enumerate(chunks):
                end = start + CHUNK
                bare_chunk[i] = min(bare_chunk[i], time_bare(pairs[start:end]))
                ours_chunk[i] = min(ours_chunk[i], time_ours(urls[start:end], keyset, revocations))
        crypto = time_cryptography(pairs[: max(1, n // 4)])
    finally:
        gc.enable()
    bare_best, ours_best = sum(bare_chunk), sum(ours_chunk)

    bare_us = bare_best / n * 1e6
    ours_us = ours_best / n * 1e6
    ratio = bare_us / ours_us
    print(f"rider pass verification, N={n:,} distinct valid passes, best of {rounds} rounds, one core")
    print(f"{'check':44} {'µs/op':>8} {'ops/s':>9}")
    print(f"{'bare VerifyKey.verify (PyNaCl/libsodium)':44} {bare_us:8.1f} {1e6 / bare_us:9,.0f}")
    print(f"{'passes.verify (scanned URL, full checks)':44} {ours_us:8.1f} {1e6 / ours_us:9,.0f}")
    if crypto is not None:
        crypto_us = crypto / max(1, n // 4) * 1e6
        print(f"{'(info) cryptography Ed25519PublicKey.verify':44} {crypto_us:8.1f} {1e6 / crypto_us:9,.0f}")
    verdict = "meets" if ratio >= TARGET_RATIO else "BELOW"
    print(f"ratio bare/verify = {ratio:.3f} ({verdict} target {TARGET_RATIO:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
