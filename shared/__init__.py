"""Infrastructure every Cascade service uses. Nothing here knows about a particular service."""
