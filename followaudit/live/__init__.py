"""Everything that talks to a platform: the HTTP choke point, cache, budget, plan, adapters, scans, audits.

May import: ``errors``, ``accounts``, ``handles``, ``filesystem``, ``formats``, ``model``, ``analysis``.
"""
