"""Rule lists as data, one TOML file per deletion ground, read by moderation.lexicon.
Imports nothing.
"""
