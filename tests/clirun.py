"""Run the followaudit CLI in-process, as the tests of its commands do."""

from followaudit.cli.commands import _run


def run(capsys, *args):
    """Return (exit code, stdout, stderr) of `followaudit ARGS...`."""
    code = _run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def run_flat(capsys, *args):
    """Return (exit code, stdout, stderr) with rich's line wrapping undone."""
    code, out, err = run(capsys, *args)
    return code, " ".join(out.split()), " ".join(err.split())
