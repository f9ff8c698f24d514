import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from linli import settings as linli_settings
from linli.core.management.commands.serve import gunicorn_argv


def _import_settings_with(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "import linli.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
    )


def test_production_settings_refuse_to_start_without_a_secret_key():
    result = _import_settings_with({"DEBUG": "0"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_start_with_a_secret_key_and_secure_cookies():
    code = "import linli.settings as s; print(s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            "PATH": "/usr/bin:/bin",
            "DEBUG": "0",
            "SECRET_KEY": "x" * 50,
            "LINLI_DATA_KEY": "A" * 43 + "=",
        },
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["True", "True"]


def test_a_boolean_setting_that_is_not_a_boolean_fails_loudly(monkeypatch):
    monkeypatch.setenv("LINLI_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="LINLI_TEST_FLAG"):
        linli_settings.env_bool("LINLI_TEST_FLAG", False)


def test_an_integer_setting_that_is_not_an_integer_fails_loudly(monkeypatch):
    monkeypatch.setenv("LINLI_TEST_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="LINLI_TEST_INT"):
        linli_settings.env_int("LINLI_TEST_INT", 1)


def test_without_redis_celery_runs_tasks_eagerly():
    assert linli_settings.CELERY_TASK_ALWAYS_EAGER is (not linli_settings.REDIS_URL)


def test_serve_runs_gunicorn_with_the_requested_workers():
    argv = gunicorn_argv(bind="0.0.0.0:8000", workers=5, threads=2, timeout=60)
    assert argv[1:4] == ["-m", "gunicorn", "linli.wsgi:application"]
    assert argv[argv.index("--workers") + 1] == "5"
    assert argv[argv.index("--bind") + 1] == "0.0.0.0:8000"


def test_serve_answers_http_through_gunicorn(tmp_path):
    import socket
    import time
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "1",
        "LINLI_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "linli.settings",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "linli", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        status = None
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/", timeout=2)
            except urllib.error.HTTPError as exc:
                status = exc.code
                break
            except OSError:
                time.sleep(0.1)
        assert status in (401, 403)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
