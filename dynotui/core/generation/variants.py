"""The prompt variants' names (a leaf module: the config validates against it)."""

VARIANTS = ("aware", "unaware")  # the Dynosaur prompts (the batch API sends these)
ALL_VARIANTS = (*VARIANTS, "schema")  # schema: skeletons from metadata, the model words them
