"""Licenses the catalog filter refuses unless configured otherwise (fnmatch patterns). A leaf:
the config module reads it at start-up without loading the catalog and its models."""

DEFAULT_LICENSE_DENY = ["other", "unknown", "*-nd-*", "*-nd", "ofl*"]
