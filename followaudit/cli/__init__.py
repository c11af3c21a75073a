"""The command line: click commands, the terminal report, progress display and safe terminal text.

May import everything below it; nothing in the core imports it. The entry point is
``followaudit.cli.commands:main``.
"""
