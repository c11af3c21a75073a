"""`followaudit cache info` and `cache clear` on a cache that a scan filled."""

from clirun import run
from fakes.bluesky_server import BlueskyServer

from followaudit.errors import ExitCode


def test_info_and_clear(capsys, tmp_path):
    cache = tmp_path / "c.sqlite3"
    code, out, _ = run(capsys, "cache", "info", "--cache", cache)
    assert code == ExitCode.OK and "empty" in out
    with BlueskyServer(n=50) as server:
        code, _, err = run(
            capsys,
            "scan",
            "subject.bsky.social",
            "--api-url",
            server.url,
            "--cache",
            cache,
            "--quiet",
            "--no-posts",
        )
        assert code == ExitCode.OK, err
        made = server.total
    code, out, _ = run(capsys, "cache", "info", "--cache", cache)
    assert code == ExitCode.OK
    assert f"Answers: {made:,} ({made:,} fresh enough to reuse)" in out
    code, out, _ = run(capsys, "cache", "clear", "--cache", cache)
    assert code == ExitCode.OK
    assert f"Removed {made:,} cached answers" in out
    code, out, _ = run(capsys, "cache", "info", "--cache", cache)
    assert "Answers: 0 (0 fresh enough to reuse)" in out


def test_default_cache_lives_in_the_user_cache_folder(capsys, tmp_path):
    code, out, _ = run(capsys, "cache", "info")
    assert code == ExitCode.OK
    assert str(tmp_path / "cache-home" / "followaudit" / "cache.sqlite3") in out
