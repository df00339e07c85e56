"""The composition root and the `dozor` command: config, building every component, the daemon's lifecycle.
Imports every package; nothing imports it but the demonstration's wiring, the benchmarks and the tests.
"""
