"""Rows for the bundled QA and summarization samples, written for this project."""

from __future__ import annotations

import random

# (title, context, [(question, answer text)]) — answers are exact spans of the context.
PASSAGES = [
    ("Honeybees",
     "A honeybee colony can contain up to sixty thousand workers but only one queen. Worker bees "
     "communicate the location of flowers with a waggle dance, in which the angle of the dance "
     "relative to vertical shows the direction of the food relative to the sun. Nectar is turned "
     "into honey by evaporation and by enzymes the bees add, and the finished honey is sealed in "
     "wax cells.",
     [("How many queens does a honeybee colony usually have?", "only one queen"),
      ("How do worker bees tell others where flowers are?", "a waggle dance"),
      ("What do bees seal finished honey in?", "wax cells"),
      ("Up to how many workers can a colony contain?", "sixty thousand")]),
    ("The water cycle",
     "Water evaporates from oceans and lakes when it is warmed by the sun. The vapour rises, cools "
     "and condenses into droplets that form clouds. When the droplets grow heavy enough they fall "
     "as rain or snow, and much of that water flows back to the sea through rivers or soaks into "
     "the ground to become groundwater.",
     [("What warms the water so that it evaporates?", "the sun"),
      ("What do condensed droplets form?", "clouds"),
      ("What does water that soaks into the ground become?", "groundwater"),
      ("How does much of the water return to the sea?", "through rivers")]),
    ("Printing press",
     "Movable type printing spread quickly across Europe in the second half of the fifteenth "
     "century. Printers cast individual letters in metal, arranged them into pages and pressed "
     "inked paper against them. Books became far cheaper to make, and by 1500 presses were "
     "operating in more than two hundred European towns.",
     [("What were individual letters cast in?", "metal"),
      ("By 1500, in how many towns were presses operating?", "more than two hundred"),
      ("When did movable type spread across Europe?",
       "the second half of the fifteenth century")]),
    ("Lighthouses",
     "Before electric lamps, lighthouses burned oil or candles, and keepers had to trim wicks "
     "through the night. A Fresnel lens, made of many curved glass prisms, gathers the light into "
     "a narrow beam that can be seen more than twenty miles away. Most lighthouses today are "
     "automated and no longer need a resident keeper.",
     [("What did keepers have to trim through the night?", "wicks"),
      ("What is a Fresnel lens made of?", "many curved glass prisms"),
      ("How far away can the beam be seen?", "more than twenty miles away"),
      ("What has replaced the resident keeper in most lighthouses?", "automated")]),
    ("Sourdough",
     "Sourdough bread rises without commercial yeast. Instead, bakers keep a starter, a mixture of "
     "flour and water in which wild yeasts and lactic acid bacteria live together. The bacteria "
     "produce acids that give the bread its tangy flavour, while the yeasts produce the carbon "
     "dioxide that makes the dough rise. A healthy starter is fed fresh flour and water every day.",
     [("What do bakers keep instead of using commercial yeast?", "a starter"),
      ("What gives sourdough its tangy flavour?", "acids"),
      ("What makes the dough rise?", "carbon dioxide"),
      ("How often is a healthy starter fed?", "every day")]),
    ("Volcanoes",
     "A volcano forms where molten rock, called magma, reaches the surface. Once it erupts, magma "
     "is called lava. Shield volcanoes have gentle slopes built from runny lava flows, while "
     "stratovolcanoes are steep cones made of alternating layers of ash and hardened lava. "
     "Scientists watch for small earthquakes and swelling ground as signs of an eruption.",
     [("What is molten rock called before it erupts?", "magma"),
      ("What are stratovolcanoes made of?", "alternating layers of ash and hardened lava"),
      ("Which volcanoes have gentle slopes?", "Shield volcanoes"),
      ("What do scientists watch for as signs of an eruption?",
       "small earthquakes and swelling ground")]),
    ("Public libraries",
     "The town library opened in 1911 with a collection of four thousand books donated by local "
     "families. In 1968 it moved into a larger building beside the river, and in 2015 it added a "
     "makerspace with 3D printers and sewing machines. Membership is free for anyone who lives or "
     "works in the county.",
     [("When did the library open?", "1911"),
      ("Where did the library move in 1968?", "a larger building beside the river"),
      ("What was added in 2015?", "a makerspace"),
      ("Who can become a member for free?", "anyone who lives or works in the county")]),
    ("Bicycles",
     "Early bicycles of the 1860s had pedals fixed directly to the front wheel, which made them "
     "hard to ride fast. The safety bicycle of the 1880s introduced a chain drive to the rear "
     "wheel and two wheels of equal size. Pneumatic tyres, filled with air, soon followed and made "
     "cycling far more comfortable on rough roads.",
     [("Where were pedals fixed on early bicycles?", "the front wheel"),
      ("What did the safety bicycle introduce?", "a chain drive"),
      ("What are pneumatic tyres filled with?", "air"),
      ("When did the safety bicycle appear?", "the 1880s")]),
    ("Tides",
     "Tides are caused mainly by the pull of the Moon's gravity on the oceans, with a smaller "
     "contribution from the Sun. Most coasts see two high tides and two low tides each day. When "
     "the Sun and Moon line up, at new and full moon, the tides are especially large and are "
     "called spring tides.",
     [("What mainly causes tides?", "the pull of the Moon's gravity"),
      ("How many high tides do most coasts see each day?", "two"),
      ("What are especially large tides called?", "spring tides")]),
    ("Coffee",
     "Coffee plants grow best in the highlands of the tropics, where temperatures are mild all "
     "year. The fruit, called a cherry, usually holds two seeds, which are dried, hulled and "
     "roasted to become coffee beans. Roasting at higher temperatures for longer produces darker "
     "beans with less acidity.",
     [("Where do coffee plants grow best?", "the highlands of the tropics"),
      ("What is the coffee fruit called?", "a cherry"),
      ("How many seeds does a coffee cherry usually hold?", "two seeds"),
      ("What does longer, hotter roasting produce?", "darker beans with less acidity")]),
    ("Rail tunnel",
     "Construction of the mountain rail tunnel began in 2009 and took eleven years. The tunnel is "
     "fifty-seven kilometres long and runs up to two thousand metres below the peaks above it. "
     "Freight trains now cross the range in about twenty minutes, a trip that once took well over "
     "an hour on the old mountain line.",
     [("When did construction begin?", "2009"),
      ("How long is the tunnel?", "fifty-seven kilometres"),
      ("How long do freight trains now take to cross the range?", "about twenty minutes")]),
    ("Octopuses",
     "An octopus has three hearts and blue blood, which carries oxygen using a copper-based "
     "protein. It can change the colour and texture of its skin in a fraction of a second to hide "
     "from predators. Most species live only one or two years, and females usually die soon after "
     "their eggs hatch.",
     [("How many hearts does an octopus have?", "three hearts"),
      ("What colour is octopus blood?", "blue"),
      ("How long do most octopus species live?", "only one or two years")]),
]


def qa_rows(rng: random.Random) -> list[dict]:
    rows = []
    for p_index, (title, context, pairs) in enumerate(PASSAGES):
        for q_index, (question, answer) in enumerate(pairs):
            start = context.find(answer)
            assert start >= 0, (title, answer)
            rows.append({"id": f"q{p_index:02d}{q_index}", "title": title, "context": context,
                         "question": question,
                         "answers": {"text": [answer], "answer_start": [start]}})
    return rows


TOWNS = ["Ashford", "Millbrook", "Carrow Bay", "Dunmore", "Elmstead", "Fairhaven", "Glenwick",
         "Holloway"]
STORIES = [
    ("{town} council approved plans for a new footbridge over the river on {day}. The bridge "
     "will link the train station with the northern housing estate, cutting a twenty-minute walk "
     "to five minutes. Councillors voted eight to two in favour after a public consultation drew "
     "more than six hundred responses. Construction is due to start in spring and cost {money}.",
     "{town} council approved a {money} footbridge linking the station to the northern estate."),
    ("The {town} farmers' market will move indoors for the winter, organisers said on {day}. "
     "Stalls will be set up in the old corn exchange from November to March. Traders said "
     "numbers had fallen sharply during last winter's storms. The market runs every Saturday "
     "morning and entry remains free.",
     "{town}'s farmers' market moves into the old corn exchange for the winter months."),
    ("Volunteers in {town} planted more than two thousand trees along the ring road on {day}. "
     "The project, funded with {money} from a local business group, aims to reduce noise and "
     "air pollution for nearby homes. Schools took part, with each class adopting a stretch of "
     "the new woodland to look after.",
     "Volunteers planted over two thousand trees along {town}'s ring road to cut noise and "
     "pollution."),
    ("{town}'s only cinema will reopen on {day} after an eighteen-month refurbishment costing "
     "{money}. The building now has three screens instead of one, step-free access and a small "
     "cafe. The owners said they would keep ticket prices unchanged for the first year to "
     "welcome audiences back.",
     "{town}'s cinema reopens after a {money} refurbishment with three screens and step-free "
     "access."),
    ("A burst water main closed the high street in {town} for most of {day}. Engineers worked "
     "through the afternoon to repair the pipe, and several shops were left without water until "
     "the evening. The water company apologised and said it would replace the ageing pipe next "
     "year at a cost of {money}.",
     "A burst water main shut {town}'s high street; the pipe will be replaced next year."),
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
MONEY = ["£1.2 million", "£450,000", "£2.8 million", "£90,000", "£640,000"]


def summary_rows(rng: random.Random) -> list[dict]:
    rows = []
    for story, summary in STORIES:
        for town in rng.sample(TOWNS, 8):
            slots = {"town": town, "day": rng.choice(DAYS), "money": rng.choice(MONEY)}
            rows.append({"id": f"doc-{len(rows):03d}", "document": story.format(**slots),
                         "summary": summary.format(**slots)})
    rng.shuffle(rows)
    return rows
