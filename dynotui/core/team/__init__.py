"""Annotation teams: agreement, conflicts and adjudication, queue overlap, guidelines, and a
workspace shared through the Hub. Imports nothing heavy (numpy and huggingface_hub load
inside the functions that need them)."""
