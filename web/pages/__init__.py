"""HTML routers, one per feature; every page works without JavaScript."""
