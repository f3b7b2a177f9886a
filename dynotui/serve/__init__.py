"""`dynotui serve`: the workbench in a browser, behind a per-start token."""
