"""A task applied to rows: instruction / input / output, in one of two styles.

- clean (the default, clean.py): the Dynosaur rules made sturdier, one row at a time.
- dynosaur (dynosaur.py, sampling.py): the released pipeline's instances byte for byte, quirks
  included; it works on a dataset config's sampled rows as a whole (label space, dropped tasks).
README, "Export formats", has a table of where the two differ.
"""

from dynotui.core.instances.clean import (ANSWER_KEYS, CHOICE_WORDS, MAX_CHARS, MEDIA,
                                          SKIP_EMPTY_INPUT, SKIP_EMPTY_OUTPUT, SKIP_MEDIA,
                                          SKIP_MISSING_FIELD, Builder, Built, build,
                                          build_instance, choices_text, feature_map,
                                          is_choice_field, output_text, quoted_list, text_of)

STYLES = ("clean", "dynosaur")

__all__ = ["ANSWER_KEYS", "CHOICE_WORDS", "MAX_CHARS", "MEDIA", "SKIP_EMPTY_INPUT",
           "SKIP_EMPTY_OUTPUT", "SKIP_MEDIA", "SKIP_MISSING_FIELD", "STYLES", "Builder", "Built",
           "build", "build_instance", "choices_text", "feature_map", "is_choice_field",
           "output_text", "quoted_list", "text_of"]
