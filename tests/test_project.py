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


def _po_entries(path):
    """(msgctxt, msgid) → tuple of msgstr (plural forms included) for each live, non-fuzzy entry."""
    entries = {}
    entry: dict = {}
    field = None

    def flush():
        if entry.get("msgid") and not entry.get("fuzzy"):
            forms = tuple(v for k, v in sorted(entry.items()) if k.startswith("msgstr"))
            if any(forms):
                entries[(entry.get("msgctxt"), entry["msgid"])] = forms
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#~"):
            continue
        if not line.strip():
            flush()
        elif line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                entry["fuzzy"] = True
        elif line.startswith('"'):
            entry[field] += line[1:-1]
        else:
            field, _, value = line.partition(" ")
            entry[field] = value[1:-1]
    return entries


def _django_contrib_catalogues():
    """Installed django.contrib apps' catalogues: listed before ours in INSTALLED_APPS, they outrank
    every app catalogue (only gongzhi/locale, in LOCALE_PATHS, outranks them)."""
    import django
    from django.conf import settings

    for app in settings.INSTALLED_APPS:
        if app.startswith("django.contrib."):
            path = Path(django.__file__).parent / "contrib" / app.split(".")[2] / "locale"
            path = path / "zh_Hans" / "LC_MESSAGES" / "django.po"
            if path.exists():
                yield app, path


def test_translations__one_msgid_one_chinese_wording_across_catalogues():
    """Django merges every catalogue into one, so a msgid worded differently in two apps shows the
    first catalogue's wording everywhere: give it one wording, or a msgctxt where meanings differ."""
    seen: dict = {}
    for path in sorted(ROOT.glob("gongzhi/**/locale/zh_Hans/LC_MESSAGES/django.po")):
        app = path.relative_to(ROOT / "gongzhi").parts[0]
        app = "(global)" if app == "locale" else app
        for key, forms in _po_entries(path).items():
            seen.setdefault(key, {})[app] = forms
    assert len(seen) > 1000, "the catalogues were not parsed"
    # Django's own wording wins over an app's unless gongzhi/locale has the msgid too.
    for app, path in _django_contrib_catalogues():
        for key, forms in _po_entries(path).items():
            if key in seen and "(global)" not in seen[key]:
                seen[key][app] = forms
    conflicts = [
        f"{(ctx + ' | ') if ctx else ''}{msgid!r}: "
        + "; ".join(f"{app}={'|'.join(forms)}" for app, forms in by_app.items())
        for (ctx, msgid), by_app in sorted(seen.items(), key=lambda kv: (kv[0][1], kv[0][0] or ""))
        if len(set(by_app.values())) > 1
    ]
    assert conflicts == [], "msgids translated differently in different catalogues:\n" + "\n".join(conflicts)


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
