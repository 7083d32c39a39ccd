"""Admin sign-in: password hashing, sessions with CSRF tokens, and throttling of failed logins."""

__all__ = ()
