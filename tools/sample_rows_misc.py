"""Rows for the bundled multiple-choice, tagging and support samples, written for this project."""

from __future__ import annotations

import random

CATEGORIES = {
    "mammal": ["dolphin", "bat", "otter", "camel", "hedgehog", "whale"],
    "bird": ["penguin", "ostrich", "sparrow", "heron", "kiwi", "pelican"],
    "planet": ["Mars", "Venus", "Neptune", "Jupiter", "Mercury", "Saturn"],
    "metal": ["copper", "zinc", "aluminium", "iron", "nickel", "tin"],
    "noble gas": ["neon", "argon", "helium", "krypton", "xenon", "radon"],
    "string instrument": ["cello", "harp", "banjo", "viola", "mandolin", "sitar"],
    "root vegetable": ["carrot", "beetroot", "parsnip", "radish", "turnip", "cassava"],
}
FACTS = [
    ("What gas do plants take in from the air for photosynthesis?",
     "carbon dioxide", ["oxygen", "nitrogen", "helium"]),
    ("At sea level, at what temperature does pure water boil?",
     "100 degrees Celsius", ["50 degrees Celsius", "90 degrees Fahrenheit", "212 degrees Celsius"]),
    ("Which organ pumps blood around the human body?", "the heart",
     ["the liver", "the lungs", "the kidneys"]),
    ("What force keeps the planets in orbit around the Sun?", "gravity",
     ["magnetism", "friction", "static electricity"]),
    ("What is the hardest natural substance?", "diamond", ["granite", "quartz", "steel"]),
    ("Which part of a plant absorbs most of its water?", "the roots",
     ["the petals", "the leaves", "the seeds"]),
    ("What kind of energy does a moving car have?", "kinetic energy",
     ["nuclear energy", "chemical energy only", "no energy"]),
    ("How many bones are in an adult human body?", "206", ["106", "306", "56"]),
    ("What does a thermometer measure?", "temperature", ["air pressure", "humidity", "wind speed"]),
    ("What is the main gas in Earth's atmosphere?", "nitrogen",
     ["oxygen", "carbon dioxide", "argon"]),
    ("Which layer of the Earth lies directly beneath the crust?", "the mantle",
     ["the inner core", "the outer core", "the ozone layer"]),
    ("What do we call animals that eat only plants?", "herbivores",
     ["carnivores", "omnivores", "decomposers"]),
    ("Sound travels fastest through which of these?", "steel", ["air", "water", "a vacuum"]),
    ("What is the chemical symbol for sodium?", "Na", ["So", "Sd", "S"]),
    ("What causes the seasons on Earth?", "the tilt of Earth's axis",
     ["the distance to the Moon", "sunspots", "ocean currents"]),
    ("Which blood cells fight infection?", "white blood cells",
     ["red blood cells", "platelets", "plasma"]),
]


def choice_rows(rng: random.Random) -> list[dict]:
    rows = []
    for question, right, wrong in FACTS:
        rows.append((question, right, list(wrong)))
    names = list(CATEGORIES)
    for name in names:
        for right in rng.sample(CATEGORIES[name], 4):
            others = [c for c in names if c != name]
            wrong = [rng.choice(CATEGORIES[c]) for c in rng.sample(others, 3)]
            article = "an" if name[0] in "aeiou" else "a"
            rows.append((f"Which of the following is {article} {name}?", right, wrong))
    out = []
    for question, right, wrong in rows:
        choices = wrong + [right]
        rng.shuffle(choices)
        out.append({"question": question, "choices": choices, "answer": choices.index(right)})
    rng.shuffle(out)
    return out


NER_LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
PEOPLE = ["Maria Okafor", "Daniel Reyes", "Priya Natarajan", "Tom Whitaker", "Aiko Tanaka",
          "Samuel Mensah", "Lena Fischer", "Omar Haddad"]
ORGS = ["Northwind Labs", "the Red Cross", "Halden University", "Bluepeak Capital",
        "the City Orchestra", "Vantage Motors"]
LOCS = ["Cape Town", "Melbourne", "Buenos Aires", "Glasgow", "Osaka", "Toronto", "Nairobi"]
PRIZES = ["the Booker Prize", "the Pulitzer Prize", "the Costa Award"]
EVENTS = ["the Olympic Games", "the Commonwealth Games", "the World Championships"]
TEMPLATES = [
    "{PER} joined {ORG} in {LOC} last spring .",
    "{ORG} announced that {PER} will lead its new office in {LOC} .",
    "After years in {LOC} , {PER} moved back home to work for {ORG} .",
    "{PER} won {PRIZE} for a novel set in {LOC} .",
    "Fans in {LOC} queued overnight to meet {PER} on Saturday .",
    "{PER} said {ORG} had not been consulted about the plan .",
    "The report by {ORG} was praised by {PER} .",
    "{PER} trained in {LOC} before competing at {EVENT} .",
    "Flights between {LOC} and {LOC2} were cancelled because of fog .",
    "{PER} and {PER2} founded {ORG} in a garage in {LOC} .",
]


def _span(text: str, kind: str) -> tuple[list[str], list[int]]:
    words = text.split()
    tags = []
    for i, word in enumerate(words):
        if i == 0 and word == "the":
            tags.append(0)  # the article stays outside the entity
            continue
        first = i == 0 or (i == 1 and words[0] == "the")
        tags.append(NER_LABELS.index(("B-" if first else "I-") + kind))
    return words, tags


def ner_rows(rng: random.Random) -> list[dict]:
    rows = []
    for template in TEMPLATES:
        for _ in range(6):
            people = rng.sample(PEOPLE, 2)
            locs = rng.sample(LOCS, 2)
            slots = {"PER": (people[0], "PER"), "PER2": (people[1], "PER"),
                     "ORG": (rng.choice(ORGS), "ORG"), "LOC": (locs[0], "LOC"),
                     "LOC2": (locs[1], "LOC"), "PRIZE": (rng.choice(PRIZES), "MISC"),
                     "EVENT": (rng.choice(EVENTS), "MISC")}
            tokens: list[str] = []
            tags: list[int] = []
            for piece in template.split():
                if piece.startswith("{") and piece.endswith("}"):
                    words, span_tags = _span(*slots[piece[1:-1]])
                    if tokens == [] and words[0] == "the":
                        words = ["The", *words[1:]]
                    tokens += words
                    tags += span_tags
                else:
                    tokens.append(piece)
                    tags.append(0)
            row = {"id": str(len(rows)), "tokens": tokens, "ner_tags": tags}
            if all(row["tokens"] != r["tokens"] for r in rows):
                rows.append(row)
    rng.shuffle(rows)
    return rows


INTENTS = ["billing", "shipping", "account", "technical", "refund"]
TICKETS = {
    0: ["I was charged twice for my March invoice.", "Why did my monthly fee go up without notice?",
        "Can I switch from card payments to direct debit?", "My invoice shows a plan I never chose.",
        "The VAT on my last bill looks wrong.", "How do I download last year's invoices?",
        "My discount code was not applied at checkout.", "Please change the billing address."],
    1: ["My parcel has said 'in transit' for nine days.", "Can you deliver to my office instead?",
        "The courier left my package in the rain.", "Do you ship to Iceland?",
        "Tracking says delivered but nothing arrived.", "Half of my order is missing from the box.",
        "How long does express shipping take?", "Can I pick the order up from a local store?"],
    2: ["I can't reset my password, the email never comes.", "How do I delete my account?",
        "Someone else logged in to my account from abroad.", "I want to change my username.",
        "Can two people share one account?", "My account was locked after three attempts.",
        "How do I turn on two-factor authentication?", "Please merge my two accounts."],
    3: ["The app crashes every time I open settings.", "Sync has stopped working on my tablet.",
        "The export button does nothing in Firefox.", "I get error 502 when uploading files.",
        "Notifications arrive an hour late.", "The dark mode makes the text unreadable.",
        "The printer driver will not install on Windows.", "Search returns no results at all."],
    4: ["I returned the jacket two weeks ago and have no refund yet.",
        "Can I get my money back for an unused subscription?",
        "The item arrived broken, I want a refund.", "How long do refunds take to show up?",
        "I cancelled within 14 days, where is my refund?", "Refund went to an old card.",
        "Can I get store credit instead of a refund?", "The refund was less than I paid."],
}
REPLIES = [
    ("My parcel has said 'in transit' for nine days.",
     "Sorry for the wait. I have asked the courier to trace the parcel and will update you within "
     "two working days; if it is lost we will send a replacement at no cost."),
    ("I was charged twice for my March invoice.",
     "Thanks for flagging this. I can see the duplicate payment and have refunded it; it should "
     "appear on your statement within five working days."),
    ("The app crashes every time I open settings.",
     "Sorry about that. Please update to the latest version from the app store; the crash was "
     "fixed last week. If it still happens, reply with your phone model and I will escalate it."),
    ("How do I delete my account?",
     "You can delete your account under Settings, Privacy, Delete account. This removes your data "
     "after 30 days; log in before then if you change your mind."),
    ("The item arrived broken, I want a refund.",
     "I'm sorry it arrived damaged. I have started a full refund and emailed a prepaid return "
     "label; there is no need to wait for the return before the refund is processed."),
    ("Do you ship to Iceland?", "Yes, we ship to Iceland. Standard delivery takes 7 to 10 working "
     "days and import duties are collected by the courier on arrival."),
    ("I can't reset my password, the email never comes.",
     "Please check your spam folder first. If the email is not there, I have sent a new reset link "
     "to the address on file just now; it is valid for one hour."),
    ("Sync has stopped working on my tablet.",
     "Please sign out of the app on the tablet and sign back in, which refreshes the sync token. "
     "If that does not help, send us the diagnostic report from Settings, Help."),
]
OPENERS = ["Hi,", "Hello,", "Good morning,", "Hey there,", "Dear support,"]
CLOSERS = ["Thanks.", "Thank you!", "Please help.", "Regards, Sam", "Cheers", "Any update?"]


def intent_rows(rng: random.Random) -> list[dict]:
    rows = []
    for label, texts in TICKETS.items():
        for text in texts:
            rows.append({"text": f"{rng.choice(OPENERS)} {text} {rng.choice(CLOSERS)}",
                         "intent": label})
    rng.shuffle(rows)
    return rows


def reply_rows(rng: random.Random) -> list[dict]:
    rows = []
    for ticket, reply in REPLIES:
        for opener in rng.sample(OPENERS, 5):
            rows.append({"ticket": f"{opener} {ticket} {rng.choice(CLOSERS)}", "reply": reply})
    rng.shuffle(rows)
    return rows
