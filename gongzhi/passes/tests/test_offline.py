"""Offline: the signed key set and revocation list gate devices sync, and `gongzhi pass verify`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.lib import passes as lib
from gongzhi.passes import keyring, services

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def _sync(client, held_keys=None, held_revocations=None):
    """What a gate device does: download both documents and check them against the pinned key."""
    pinned = [keyring.unb64url(p["public_key"]) for p in client.get("/api/v1/passes/publisher-keys").json()]
    keyset = lib.load_keyset(
        client.get("/api/v1/passes/keyset").content, publisher_keys=pinned, held=held_keys
    )
    revocations = lib.load_revocations(
        client.get("/api/v1/passes/revocations").content, publisher_keys=pinned, held=held_revocations
    )
    return keyset, revocations


def test_gate_device__verifies_offline_and_learns_a_revocation_at_the_next_sync(
    client, rider, worker_of_community_a
):
    record = services.pass_current(rider=rider)
    keyset, revocations = _sync(client)
    assert lib.verify(record.token, keyset, revocations, gate_area="510185001001").ok
    services.pass_revoke(rider=rider, reason="left_job", actor=worker_of_community_a)
    # Offline, until the next sync, the gate still holds the old list ...
    assert lib.verify(record.token, keyset, revocations).ok
    keyset2, revocations2 = _sync(client, keyset, revocations)
    assert revocations2.sequence > revocations.sequence
    assert lib.verify(record.token, keyset2, revocations2).reason == lib.Reason.REVOKED


def test_gate_device__refuses_a_replayed_older_revocation_list(client, rider, worker_of_community_a):
    services.pass_current(rider=rider)
    old_document = client.get("/api/v1/passes/revocations").content
    services.pass_revoke(rider=rider, reason="lost_phone", actor=worker_of_community_a)
    _keys, held = _sync(client)
    pinned = [keyring.unb64url(p.public_key) for p in keyring.publisher_public_keys()]
    with pytest.raises(lib.DocumentError) as exc:
        lib.load_revocations(old_document, publisher_keys=pinned, held=held)
    assert exc.value.code == "rollback"


def test_key_set__keeps_the_retired_key_while_its_passes_live_and_drops_it_after(
    client, rider, security_admin
):
    old = services.pass_current(rider=rider)
    keyring.signing_key_rotate(actor=security_admin)
    keyset, _ = _sync(client)
    assert old.signing_key.kid in keyset and lib.verify(old.token, keyset).ok
    later = old.valid_until + timedelta(minutes=10)
    assert old.signing_key.kid not in keyring.keyset_current(now=later)


def test_documents__answer_304_when_unchanged(client, rider):
    services.pass_current(rider=rider)
    first = client.get("/api/v1/passes/keyset")
    assert first.status_code == 200 and first["X-Gz-Sequence"]
    again = client.get("/api/v1/passes/keyset", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def _write_documents(client, tmp_path):
    keys = tmp_path / "keys.json"
    revs = tmp_path / "revocations.json"
    keys.write_bytes(client.get("/api/v1/passes/keyset").content)
    revs.write_bytes(client.get("/api/v1/passes/revocations").content)
    publisher = keyring.publisher_public_keys()[0].public_key
    return keys, revs, publisher


def test_pass_verify_command__exits_0_for_a_valid_pass_and_1_with_the_reason_otherwise(
    client, rider, tmp_path, capsys
):
    record = services.pass_current(rider=rider)
    keys, revs, publisher = _write_documents(client, tmp_path)
    # "--publisher-key=KEY": a base64url key may begin with "-", which argparse would take for an option.
    args = ["--keys", str(keys), "--revocations", str(revs), f"--publisher-key={publisher}"]
    call_command("pass_verify", f"http://testserver/p/{record.token}", *args)
    assert capsys.readouterr().out.startswith("ok\n")
    with pytest.raises(SystemExit) as exc:
        at = len(record.token) - 20  # inside the signature
        flipped = record.token[:at] + ("B" if record.token[at] != "B" else "C") + record.token[at + 1 :]
        call_command("pass_verify", flipped, *args)
    assert exc.value.code == 1
    assert capsys.readouterr().out.splitlines()[0] == "bad_signature"
    later = (record.valid_until + timedelta(hours=1)).isoformat()
    with pytest.raises(SystemExit):
        call_command("pass_verify", record.token, *args, "--now", later)
    assert capsys.readouterr().out.splitlines()[0] == "expired"


def test_gongzhi_pass_verify__runs_from_the_console_without_a_database(client, rider, tmp_path):
    record = services.pass_current(rider=rider)
    keys, revs, publisher = _write_documents(client, tmp_path)
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "GONGZHI_VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
    }
    base = [
        sys.executable,
        "-c",
        "import sys; from gongzhi.cli import main; sys.exit(main())",
        "pass",
        "verify",
    ]
    ok = subprocess.run(
        [*base, record.token, "--keys", str(keys), f"--publisher-key={publisher}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[0] == "ok" and f"serial: {record.serial}" in ok.stdout
    bad = subprocess.run(
        [*base, "garbage", "--keys", str(keys), f"--publisher-key={publisher}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 1 and bad.stdout.splitlines()[0] == "malformed"
    tampered = json.loads(keys.read_text())
    tampered["body"] = tampered["body"].replace('"sequence":', '"sequence":9')
    keys.write_text(json.dumps(tampered))
    refused = subprocess.run(
        [*base, record.token, "--keys", str(keys), f"--publisher-key={publisher}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and "signature" in refused.stderr


def test_issuing__makes_the_first_key_and_publishes_it(rider):
    assert not keyring.all_signing_keys().exists()
    record = services.pass_current(rider=rider)
    assert record.signing_key.kid in keyring.keyset_current()
    assert keyring.signing_key_for_issuing(now=timezone.now()) == record.signing_key
