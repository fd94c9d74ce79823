"""Sentra's shared package: the one mechanism for events, outbox, inbox, auth, settings and web plumbing.

Every service imports from here; nothing in here imports a service.
"""
