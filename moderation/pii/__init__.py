"""Citizens' personal data: phones, e-mails, addresses, documents, names of private persons.
Imports moderation.types and moderation.text only.
"""
