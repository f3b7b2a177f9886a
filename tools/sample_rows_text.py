"""Rows for the bundled classification samples, written for this project (deterministic)."""

from __future__ import annotations

import random

SENTIMENT_SUBJECTS = [
    "The film", "This sequel", "The director's latest", "The documentary", "The animated feature",
    "This thriller", "The remake", "The period drama", "This romantic comedy", "The debut feature",
    "The courtroom drama", "This heist movie",
]
POSITIVE = [
    "is warm, funny and far more moving than its trailer suggests",
    "earns every one of its quiet, devastating final minutes",
    "has a lead performance so natural you forget anyone is acting",
    "moves at a clip and never once talks down to its audience",
    "turns a familiar premise into something fresh and genuinely tense",
    "looks gorgeous, and the score does half the storytelling",
    "is the rare crowd-pleaser that trusts its viewers to keep up",
    "made me laugh out loud three times and tear up once",
    "balances its big ideas with characters you actually care about",
    "is smart, generous and confident in every scene",
    "rewards patience with a payoff that lands beautifully",
    "gets better the longer you think about it afterwards",
]
NEGATIVE = [
    "is two hours of noise held together by a single good joke",
    "wastes a talented cast on a script that was clearly unfinished",
    "drags badly in the middle and never recovers",
    "mistakes shouting for drama and confusion for depth",
    "telegraphs every twist a good twenty minutes in advance",
    "is so busy setting up a franchise that it forgets to be a movie",
    "has dialogue that sounds like it was written by committee",
    "looks cheap, sounds muddy and feels endless",
    "ends so abruptly that I checked whether the stream had crashed",
    "takes a promising idea and sands off everything interesting about it",
    "is dull in a way that even the explosions cannot fix",
    "left me checking my watch before the opening credits had finished",
]
TAILS = ["", " I would see it again tomorrow.", " Not for everyone, though.",
         " The theatre was half empty.", " Bring snacks.", " Your mileage may vary.",
         " The popcorn was the highlight of the evening."]


def sentiment_rows(rng: random.Random) -> list[dict]:
    rows = []
    for subject in SENTIMENT_SUBJECTS:
        for label, pool in ((1, POSITIVE), (0, NEGATIVE)):
            for phrase in rng.sample(pool, 3):
                tail = rng.choice(TAILS)
                if label == 1 and "half empty" in tail:
                    tail = ""
                rows.append({"text": f"{subject} {phrase}.{tail}", "label": label})
    rng.shuffle(rows)
    return rows


PLACES = ["Nairobi", "Lisbon", "Jakarta", "Ottawa", "Lima", "Seoul", "Accra", "Oslo", "Manila",
          "Santiago", "Warsaw", "Hanoi"]
TEAMS = ["Riverside Rovers", "Harbor City FC", "the Northgate Hawks", "the Valley Comets",
         "Eastport United", "the Summit Bears"]
COMPANIES = ["Brightline Foods", "Kestrel Logistics", "Orchard Software", "Polar Grid Energy",
             "Tidewater Bank", "Mosaic Textiles"]
NEWS = {
    0: [  # world
        ("Leaders meet in {place} to discuss regional water sharing",
         "Officials from five countries gathered in {place} on Tuesday for talks on how to share "
         "river water during increasingly frequent droughts. Delegates said a draft agreement could "
         "be ready before the end of the year."),
        ("Flooding displaces thousands near {place}",
         "Heavy rain over the weekend forced thousands of families near {place} to leave their "
         "homes. Aid groups are distributing drinking water and tents while engineers inspect "
         "damaged bridges."),
        ("{place} hosts summit on migration policy",
         "Ministers arrived in {place} for a two-day summit on migration. Several delegations "
         "called for faster processing of asylum claims and more support for border towns."),
        ("Election officials in {place} begin recount",
         "Electoral authorities in {place} began a manual recount after the margin in the "
         "capital's mayoral race fell below half a percentage point. Results are expected Friday."),
    ],
    1: [  # sports
        ("{team} clinch title with late winner",
         "{team} secured the league title on Saturday after a stoppage-time header sealed a 2-1 "
         "victory. The coach praised a squad that lost only three matches all season."),
        ("Injury blow for {team} ahead of cup final",
         "{team} will be without their captain for the cup final after scans confirmed a torn "
         "hamstring. The club said he is expected to return in about six weeks."),
        ("{team} sign teenage striker on five-year deal",
         "{team} announced the signing of a 17-year-old striker from their own academy. The "
         "forward scored 31 goals for the youth side last season."),
        ("Marathon in {place} sees course record fall",
         "The annual marathon in {place} produced a new course record on Sunday as the winner "
         "broke the tape in two hours and five minutes, cheered on by large crowds."),
    ],
    2: [  # business
        ("{company} shares jump after strong quarter",
         "Shares in {company} rose nine percent on Thursday after the firm reported revenue well "
         "above analysts' forecasts and raised its outlook for the rest of the year."),
        ("{company} to cut 400 jobs in restructuring",
         "{company} said it would cut about 400 jobs as part of a restructuring aimed at reducing "
         "costs. Unions criticised the decision and asked for talks on redundancy terms."),
        ("{company} opens new distribution centre near {place}",
         "{company} opened a distribution centre near {place} that it says will create 250 local "
         "jobs and shorten delivery times across the region."),
        ("Central bank holds rates as inflation cools",
         "The central bank left its main interest rate unchanged, noting that inflation has eased "
         "for a third month. Economists expect a first cut early next year."),
    ],
    3: [  # science
        ("Researchers map coral recovery after heatwave",
         "Marine biologists surveying reefs off {place} found that some coral colonies recovered "
         "within two years of a severe heatwave, offering cautious hope for reef resilience."),
        ("New battery chemistry promises faster charging",
         "A university team reported a sodium-based battery cell that charges to 80 percent in "
         "twelve minutes and keeps most of its capacity after 3,000 cycles."),
        ("Telescope spots water vapour on distant planet",
         "Astronomers detected water vapour in the atmosphere of a planet about 120 light-years "
         "away, though they cautioned that it is far too hot to host life as we know it."),
        ("Study links urban trees to cooler nights",
         "A study of temperature sensors across {place} found that streets with dense tree cover "
         "stayed up to three degrees cooler at night during summer heatwaves."),
    ],
}


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def news_rows(rng: random.Random) -> list[dict]:
    rows = []
    for label, items in NEWS.items():
        for title, text in items:
            for _ in range(4):
                slots = {"place": rng.choice(PLACES), "team": rng.choice(TEAMS),
                         "company": rng.choice(COMPANIES)}
                row = {"title": _cap(title.format(**slots)), "text": _cap(text.format(**slots)),
                       "label": label}
                if row not in rows:
                    rows.append(row)
    rng.shuffle(rows)
    return rows


SUBJECTS = [("A man", "He", "man"), ("A woman", "She", "woman"), ("An old man", "He", "man"),
            ("A young girl", "She", "girl"), ("A teenage boy", "He", "boy")]
SCENES = [
    ("{s} is riding a bicycle along a busy city street.", "A person is outdoors.",
     "{p} is asleep in bed.", "{p} is cycling to work."),
    ("{s} is playing the violin on a subway platform.", "Someone is making music.",
     "The {n} is sitting silently in a library.", "The {n} is hoping to earn some money."),
    ("{s} in a red coat is walking a dog through the snow.", "It is cold outside.",
     "The {n} is swimming at the beach.", "The dog belongs to the {n}'s neighbour."),
    ("{s} is cooking pasta in a small kitchen.", "Food is being prepared.",
     "The {n} is fixing a car engine.", "The pasta is for a birthday dinner."),
    ("{s} is reading a newspaper on a park bench.", "The {n} is sitting down.",
     "The {n} is running a marathon.", "The {n} is waiting for a friend."),
    ("{s} is painting a fence white.", "The fence is being painted.",
     "The {n} is painting a portrait indoors.", "The {n} was paid to paint the fence."),
    ("{s} is climbing a steep rock wall with a rope.", "The {n} is climbing.",
     "The {n} is lying on a couch.", "The {n} is a professional climber."),
    ("{s} is carrying groceries up a flight of stairs.", "The {n} is holding bags.",
     "The {n} has empty hands.", "The {n} lives on the top floor."),
    ("{s} is fishing from a wooden pier at sunrise.", "It is early in the morning.",
     "It is the middle of the night.", "The {n} caught three fish today."),
    ("{s} is typing on a laptop in a crowded cafe.", "The {n} is using a computer.",
     "The cafe is completely empty.", "The {n} is writing a novel."),
    ("{s} is planting tomatoes in a garden.", "Something is being planted.",
     "The {n} is harvesting wheat with a tractor.", "The tomatoes will be sold at a market."),
    ("{s} is juggling three oranges at a street fair.", "The {n} is performing a trick.",
     "The {n} is peeling an orange at home.", "The crowd is applauding loudly."),
]


def entailment_rows(rng: random.Random) -> list[dict]:
    rows = []
    for premise, entail, contra, neutral in SCENES:
        for subject, pronoun, noun in rng.sample(SUBJECTS, 2):
            prem = premise.format(s=subject, p=pronoun, n=noun)
            for label, hyp in ((0, entail), (2, contra), (1, neutral)):
                text = hyp.format(s=subject, p=pronoun, n=noun)
                rows.append({"premise": prem, "hypothesis": text[0].upper() + text[1:],
                             "label": label})
    rng.shuffle(rows)
    return rows
