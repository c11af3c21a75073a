"""Text from files and APIs is shown literally: never run as rich markup."""

from clirun import run

from followaudit.errors import ExitCode


def test_hostile_handles_and_file_names_are_printed_literally(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = "dump[red].csv"
    (tmp_path / path).write_text(
        "handle,posts,followers,following,created_at\n"
        '"[/]",1,1,900,2015-01-01\n'
        '"[link=https://evil.example]x[/link]",1,1,900,2015-01-01\n'
    )
    code, out, err = run(capsys, "score", path, "--top", "2")
    assert code == ExitCode.OK, err
    assert "dump[red].csv" in out
    assert "[/]" in out
    # Too long for its column, the handle breaks after a dot, literally as it is.
    assert "[link=https://evil." in out and "example]x[/link]" in out
