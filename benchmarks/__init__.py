"""Speed benchmarks of the moderation core and the daemon (`make bench`); figures go to BENCHMARKS.md.
Imports anything: it sits on top, beside the tests.
"""
