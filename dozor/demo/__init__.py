"""The demonstration's wiring: the daemon against the emulators and a scripted stream (`make run`).
The one product package that imports emulators/.
"""
