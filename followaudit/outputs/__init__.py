"""What followaudit writes: CSV/JSON tables, JSON documents, stored scans, JUnit, HTML, export files.

May import every core subpackage: ``formats``, ``model``, ``analysis``, ``live``, and the base modules.
"""
