"""Worked demonstrations for the two prompt variants, written for this project.

Each demo is a made-up dataset's trimmed metadata (as prompts.metadata_block builds it) and
the tasks a careful person would propose for it. The variants use different demos, as in
the method; the aware demos carry a description, the unaware ones do not.
"""

from __future__ import annotations

from typing import Any

AWARE: list[dict[str, Any]] = [
    {
        "metadata": {
            "name": "kitchen-appliance-reviews",
            "description": "Customer reviews of kitchen appliances collected from an online "
                           "shop, each with a short title, the review text, the star rating "
                           "given by the customer and the appliance category.",
            "fields": {"title": "string", "review": "string",
                       "rating": {"type": "ClassLabel", "labels": ["1", "2", "3", "4", "5"]},
                       "category": "string"},
            "samples": [
                {"title": "Loud but fast", "review": "The blender crushes ice in seconds, "
                 "although the noise wakes up the whole flat.", "rating": "4",
                 "category": "blender"},
                {"title": "Stopped after a week", "review": "The kettle no longer switches on "
                 "and support has not answered my emails.", "rating": "1",
                 "category": "kettle"},
            ],
        },
        "tasks": [
            {"instruction": "Read the customer review of a kitchen appliance and predict the "
                            "star rating the customer gave, from 1 to 5.",
             "input_fields": ["title", "review"], "output_field": "rating"},
            {"instruction": "Write a short, catchy headline that summarises this appliance "
                            "review.",
             "input_fields": ["review"], "output_field": "title"},
            {"instruction": "Which kind of kitchen appliance is this review about? Name the "
                            "appliance category.",
             "input_fields": ["review"], "output_field": "category"},
        ],
    },
    {
        "metadata": {
            "name": "trail-guides",
            "description": "Descriptions of hiking trails written by park rangers, with the "
                           "region, the difficulty grade and a one-line safety note.",
            "fields": {"trail_name": "string", "region": "string", "description": "string",
                       "difficulty": {"type": "ClassLabel",
                                      "labels": ["easy", "moderate", "hard"]},
                       "safety_note": "string"},
            "samples": [
                {"trail_name": "Fox Ridge Loop", "region": "North Valley",
                 "description": "A 14 km loop with 900 m of climbing over loose scree and a "
                 "short exposed section near the summit.", "difficulty": "hard",
                 "safety_note": "Carry two litres of water and turn back in strong wind."},
                {"trail_name": "Millpond Walk", "region": "Lowlands",
                 "description": "A flat 3 km path around the old millpond, paved and "
                 "suitable for pushchairs.", "difficulty": "easy",
                 "safety_note": "The boardwalk is slippery after rain."},
            ],
        },
        "tasks": [
            {"instruction": "Given a ranger's description of a hiking trail, grade how "
                            "difficult the hike is.",
             "input_fields": ["description"], "output_field": "difficulty"},
            {"instruction": "Write a one-sentence safety tip for hikers planning to walk the "
                            "trail described below.",
             "input_fields": ["trail_name", "description"], "output_field": "safety_note"},
        ],
    },
]

UNAWARE: list[dict[str, Any]] = [
    {
        "metadata": {
            "name": "pub-quiz",
            "fields": {"question": "string", "answer": "string", "topic": "string",
                       "points": "int64"},
            "samples": [
                {"question": "Which planet has the shortest day in the solar system?",
                 "answer": "Jupiter", "topic": "astronomy", "points": 2},
                {"question": "In which city was the composer Edvard Grieg born?",
                 "answer": "Bergen", "topic": "music", "points": 3},
            ],
        },
        "tasks": [
            {"instruction": "Answer the trivia question with a short phrase.",
             "input_fields": ["question"], "output_field": "answer"},
            {"instruction": "Write a quiz question on the given topic whose answer is the "
                            "given word or phrase.",
             "input_fields": ["topic", "answer"], "output_field": "question"},
            {"instruction": "Assign the quiz question to a subject area such as history, "
                            "music or astronomy.",
             "input_fields": ["question"], "output_field": "topic"},
        ],
    },
    {
        "metadata": {
            "name": "bug-reports",
            "fields": {"summary": "string", "steps": "string",
                       "severity": {"type": "ClassLabel",
                                    "labels": ["minor", "major", "critical"]},
                       "component": "string"},
            "samples": [
                {"summary": "Export button does nothing on large tables",
                 "steps": "Open a table with 50k rows, press Export, wait: no file appears "
                 "and no error is shown.", "severity": "major", "component": "export"},
                {"summary": "Typo in settings dialog",
                 "steps": "Open Settings > General; the label reads 'Langauge'.",
                 "severity": "minor", "component": "ui"},
            ],
        },
        "tasks": [
            {"instruction": "Read the steps that reproduce a software bug and decide how "
                            "severe the bug is.",
             "input_fields": ["summary", "steps"], "output_field": "severity"},
            {"instruction": "Write a concise one-line summary for the bug described by these "
                            "reproduction steps.",
             "input_fields": ["steps"], "output_field": "summary"},
        ],
    },
]

DEMOS: dict[str, list[dict[str, Any]]] = {"aware": AWARE, "unaware": UNAWARE}

# The schema variant's wording demonstration (a proposal must not copy it either).
SCHEMA_DEMO_TASK = "Label each recipe with its cuisine."
SCHEMA_DEMO_ANSWER = "Say which cuisine the recipe belongs to."
