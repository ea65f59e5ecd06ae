"""Core of Pendopo: regions, organisation units, accounts with roles and scopes, API tokens,
the audit trail, masking of personal data, language and the base layout.

May import Django and the standard library only; every other app builds on this one.
"""
