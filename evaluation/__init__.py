"""Quality measurement: labelled sets, the public datasets' loaders, metrics, baselines, `dozor evaluate`.
Imports the moderation core only; never dozor/ or emulators/.
"""
