"""Repositories: keyword-only functions from a session to ``domain`` dataclasses and back.

Nothing above ``local_db`` sees a table. Writes happen in the caller's session and
transaction (the caller commits), so a user action and its outbox row commit together.
"""
