"""Project-level promises: production settings pass Django's deploy check, every string is translated."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings__pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "GONGZHI_ENV": "production",
        "SECRET_KEY": "x" * 60 + "-production-like-secret-for-the-check",
        "GONGZHI_VAULT_KEYS": subprocess.check_output(
            [
                sys.executable,
                "-c",
                "import json; from gongzhi.lib.vault import generate_keyring_config as g; print(json.dumps(g()))",
            ],
            cwd=ROOT,
            text=True,
        ),
        "ALLOWED_HOSTS": "gongzhi.example.cn",
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "GONGZHI_VAR_DIR": str(tmp_path),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for Playwright, never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings__refuse_to_start_without_secrets(tmp_path):
    env = {
        **os.environ,
        "GONGZHI_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "gongzhi.settings",
        "GONGZHI_VAR_DIR": str(tmp_path),
    }
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_every_message__has_a_chinese_translation():
    catalogues = sorted(ROOT.glob("gongzhi/**/locale/zh_Hans/LC_MESSAGES/django.po"))
    assert catalogues
    for path in catalogues:
        po = path.read_text(encoding="utf-8")
        result = subprocess.run(
            ["msgattrib", "--untranslated", "--no-obsolete", "-"], input=po, capture_output=True, text=True
        )
        untranslated = [
            line for line in result.stdout.splitlines() if line.startswith("msgid ") and line != 'msgid ""'
        ]
        assert untranslated == [], f"{path}: untranslated {untranslated[:10]}"
        assert "#, fuzzy" not in po.split("\n\n", 1)[1], f"{path} has fuzzy entries"


def test_cli__maps_our_verbs_onto_commands():
    from gongzhi.cli import translate_argv

    assert translate_argv(["gongzhi", "audit", "verify"]) == ["gongzhi", "audit_verify"]
    assert translate_argv(["gongzhi", "demo", "seed", "--scale", "5"]) == [
        "gongzhi",
        "demo_seed",
        "--scale",
        "5",
    ]
    assert translate_argv(["gongzhi", "worker"]) == ["gongzhi", "db_worker"]
    assert translate_argv(["gongzhi", "migrate"]) == ["gongzhi", "migrate"]
