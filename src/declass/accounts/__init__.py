"""Accounts of the reading room: roles, passwords, sessions, API tokens, throttles.

Kept free of imports at package level: the store's interface imports `records`.
"""
