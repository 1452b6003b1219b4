"""labelshare."""
