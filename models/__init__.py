"""Storage: SQLModel tables, the store behind the moderation and monitor ports, migrations, stored values.
May import moderation/ (types and records); never monitor/, bots/ or dozor/.
"""
