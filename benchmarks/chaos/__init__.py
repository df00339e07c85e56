"""The chaos run: the daemon as its own process against the emulators, killed and faulted at random.

`python -m benchmarks.chaos` (`make chaos`) checks from the emulators' records: nothing lost or doubled.
"""
