"""Key hashing and secret encryption."""

from vizochok.adapters.security.keys import generate_key, hash_key
from vizochok.adapters.security.secrets import SecretBox

__all__ = ("SecretBox", "generate_key", "hash_key")
