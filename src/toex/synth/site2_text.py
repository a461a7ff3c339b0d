"""Wording and phone spellings of the second partner website ("site 2").

Site 2's advertisers write differently from the first site's (:mod:`toex.synth.adverts`):
short broken-English sentences, emoji, lower case more often than not, prices written
"150/1h" or "1 hour 150", a phone written in one of a dozen styles (spaced digits, words,
letters for digits, keycap emoji, full-width digits...). A controller draws one template
(a list of sentence frames with their fill words fixed) and writes every advert of the
accounts they run from it, changing the slots: name, age, town, area, prices and phone.
Independent advertisers each draw their own frames and fill words, and many use the same
stock phrases ("new in town", "100% real pics"), which must link nothing.
"""

from __future__ import annotations

import numpy as np

EMOJI = ("💋", "🔥", "😘", "🌹", "✨", "💦", "😍", "👄", "💕", "🍓", "⭐", "🥂")
TOWNS = {
    "London": ("London", "Croydon", "Ilford", "Harrow"),
    "West Midlands": ("Birmingham", "Coventry", "Dudley", "Walsall"),
    "North West": ("Manchester", "Salford", "Bolton", "Wigan", "Liverpool"),
    "Yorkshire and the Humber": ("Leeds", "Bradford", "Sheffield", "Wakefield"),
    "East Midlands": ("Nottingham", "Leicester", "Derby", "Mansfield"),
    "South East": ("Reading", "Slough", "Luton", "Oxford", "Crawley"),
    "South West": ("Bristol", "Swindon", "Gloucester", "Bath"),
    "North East": ("Newcastle", "Gateshead", "Durham", "Sunderland"),
    "Scotland": ("Glasgow", "Edinburgh", "Dundee"),
    "Wales": ("Cardiff", "Swansea", "Wrexham"),
}
AREAS = (
    "near station", "centre", "close to uni", "by big tesco", "north side", "near hospital",
    "by motorway", "old town", "near stadium", "by the park", "high street", "new flats",
)  # fmt: skip
STOCK = ("new in town", "100% real pics", "no time wasters", "no private numbers")
# Sentence frames: {x} {y} {z} are fill words fixed per template, slots are {name} {age}
# {town} {area} {p1} {p2} {phone}.
FRAMES = (
    "hello {x} gentleman my name {name} i am {age} year {y} girl",
    "{name} {age} yo very {x} and {y} {z}",
    "im {name}, {age} years, {x} {z} from east europe",
    "new {z} {name} here age {age} so {x} for u",
    "u can find me {town} {area} {x} place",
    "in {town} only few day, {area}, {y} flat",
    "incall {town} {area} and outcall, very {x}",
    "{x} apartment in {town} {area} easy parking",
    "price {p1}/1h {p2}/2h no {z}",
    "30min {p1} 1 hour {p2} {x} service",
    "{p1} half hour {p2} full hour cash only",
    "call or text me {phone} {x} reply",
    "my number {phone} no withheld {z}",
    "txt {phone} for {x} time",
    "i do {x} gfe and {y} massage",
    "i like {x} men and {y} {z} time",
    "come for {x} relax i am {y} and {z}",
    "very {x} body, {y} skin, {z} smile",
    "open {x} days {y} nights {z} weekends",
    "discreet {x} place with {y} shower and {z} towels",
    "i speak little english but {x} and {y}",
    "first time in uk {x} {y} girl",
    "booking by {x} sms only {y}",
    "{x} lingerie {y} heels {z} perfume",
    "only {x} gentleman please {y} and {z}",
)
FILLERS = (
    "sweet", "hot", "sexy", "nice", "friendly", "naughty", "good", "clean", "private",
    "quiet", "lovely", "real", "genuine", "best", "young", "soft", "long", "warm", "happy",
    "kind", "special", "big", "small", "pretty", "new", "fresh", "wild", "calm", "polite",
    "relaxing", "romantic", "gentle", "fast", "slow", "tender", "fun", "crazy", "cute",
    "perfect", "amazing", "luxury", "cosy", "elegant", "passion", "lady", "angel", "doll",
    "baby", "honey", "sugar", "kiss", "dream", "magic", "fire", "silk", "velvet", "candy",
)  # fmt: skip
WORKING = ("Roxy", "Kiki", "Bella", "Lola", "Nikki", "Vanessa", "Sasha", "Coco", "Bianca")
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_KEYCAP = "\ufe0f\u20e3"
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def spell_phone(nsn: int, style: int) -> str:
    """A UK mobile (national significant number 7xxxxxxxxx) written in style 0-13."""
    d = "0" + str(nsn)
    styles = (
        lambda: f"{d[:5]} {d[5:]}",
        lambda: d,
        lambda: f"+44 {d[1:5]} {d[5:]}",
        lambda: "+44" + d[1:],
        lambda: f"0044 {d[1:5]} {d[5:8]} {d[8:]}",
        lambda: f"({d[:5]}) {d[5:8]}-{d[8:]}",
        lambda: f"{d[:5]}.{d[5:8]}.{d[8:]}",
        lambda: " ".join(d[i : i + 3] for i in range(0, 11, 3)),
        lambda: (d[:5] + " " + d[5:]).replace("0", "o").replace("1", "l"),
        lambda: " ".join(_WORDS[int(c)] for c in d),
        lambda: "".join(c + _KEYCAP for c in d),
        lambda: " ".join(d),
        lambda: d[:2] + _WORDS[int(d[2])] + d[3:6] + " " + _WORDS[int(d[6])] + d[7:],
        lambda: d.translate(_FULLWIDTH),
    )
    return styles[style % len(styles)]()


N_PHONE_STYLES = 14


def draw_template(rng: np.random.Generator, n_frames: int) -> list[tuple[int, str, str, str]]:
    """A wording template: ``n_frames`` distinct frames with their fill words."""
    chosen = rng.choice(len(FRAMES), size=n_frames, replace=False)
    picks = rng.choice(len(FILLERS), size=(n_frames, 3))
    return [
        (int(f), FILLERS[int(a)], FILLERS[int(b)], FILLERS[int(c)])
        for f, (a, b, c) in zip(chosen.tolist(), picks.tolist(), strict=True)
    ]


def render(
    rng: np.random.Generator,
    template: list[tuple[int, str, str, str]],
    slots: dict[str, str],
    stock: bool,
) -> tuple[str, str]:
    """(headline, body) of one advert from a template and its slots."""
    sentences = [FRAMES[f].format(x=x, y=y, z=z, **slots) for f, x, y, z in template]
    if not any("{phone}" in FRAMES[f] for f, _, _, _ in template):
        sentences.append(f"call {slots['phone']}")
    body_parts: list[str] = []
    for sentence in sentences:
        if rng.random() < 0.5:
            sentence = sentence.capitalize()
        body_parts.append(sentence + ("" if rng.random() < 0.6 else " " + _emoji(rng)))
    if stock:
        body_parts.insert(0, STOCK[int(rng.integers(0, 2))])
        body_parts.append(STOCK[2 + int(rng.integers(0, 2))])
    head = f"{_emoji(rng)} {slots['name']} {slots['age']} {slots['town']} {_emoji(rng)}"
    return head, " . ".join(body_parts)


def _emoji(rng: np.random.Generator) -> str:
    return "".join(EMOJI[int(i)] for i in rng.integers(0, len(EMOJI), int(rng.integers(1, 3))))
