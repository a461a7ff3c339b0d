"""Partner-website advert text: wording templates built from a phrase bank, with slots.

Each controller (a case: accounts run by one person) has its own wording template, drawn
once from the phrase bank, and writes every advert of the accounts they run from it, varying
only the slots (working name, age, price, city, area, days, phone): near-duplicate text then
links those accounts, as it does on real sites (InfoShield, Lee, Vajiac et al. 2021). An
independent advertiser writes her own text, drawn from the same large bank: each sentence is
built from several independent choices (frame, adjectives, nouns), so two unrelated adverts
share few word 3-shingles and are not near-duplicates at the STIM LSH threshold (0.5).
Controllers write in the third person ("she", "new girls") more often than independent
advertisers. Phones in adverts are sometimes obscured with words.
"""

from __future__ import annotations

import random
import re
from functools import cache

WORKING_NAMES = (
    "Bella", "Angel", "Candy", "Roxy", "Jasmine", "Ruby", "Crystal", "Destiny", "Lola", "Mia",
    "Sasha", "Nikki", "Kitty", "Amber", "Scarlett", "Chloe", "Diamond", "Honey", "Jade", "Lexi",
    "Luna", "Paris", "Sienna", "Tiffany", "Vanessa", "Valentina", "Bianca", "Carla", "Daniela",
    "Gabriela", "Isabela", "Larissa", "Natasha", "Alina", "Andreea", "Denisa", "Roxana", "Kiki",
    "Coco", "Stella", "Eva", "Nina", "Sofia", "Lara", "Maya", "Zara", "Leila", "Anya",
)  # fmt: skip

CITIES = {
    "London": ("London", "Croydon", "Ilford", "Wembley"),
    "South East": ("Reading", "Slough", "Brighton", "Southampton", "Milton Keynes"),
    "South West": ("Bristol", "Plymouth", "Bournemouth", "Exeter"),
    "East of England": ("Norwich", "Cambridge", "Peterborough", "Chelmsford", "Ipswich"),
    "West Midlands": ("Birmingham", "Coventry", "Wolverhampton", "Walsall", "Stoke"),
    "East Midlands": ("Leicester", "Northampton", "Nottingham", "Derby"),
    "North West": ("Manchester", "Preston", "Blackpool", "Bolton", "Liverpool", "Oldham"),
    "North East": ("Newcastle", "Sunderland", "Middlesbrough"),
    "Yorkshire and the Humber": ("Leeds", "Sheffield", "Bradford", "Hull"),
    "Wales": ("Cardiff", "Swansea", "Newport"),
    "Scotland": ("Glasgow", "Edinburgh", "Aberdeen"),
    "Northern Ireland": ("Belfast", "Derry"),
}

DAYS = (
    "24/7",
    "every day 10am-late",
    "weekends only",
    "Mon-Fri",
    "this week only",
    "until Sunday",
    "evenings",
    "afternoons",
    "from noon",
    "all night",
)
AREAS = (
    "city centre",
    "near the station",
    "by the ring road",
    "close to the motorway",
    "near the university",
    "by the retail park",
    "near the hospital",
    "town centre",
    "by the canal",
    "near the football ground",
    "west side",
    "east end",
)
PRICES = tuple(range(60, 260, 10))

# The phrase bank. A sentence is a frame whose {a}/{b} take adjectives and {n} a noun, all
# drawn independently, so the bank yields millions of distinct sentences.
ADJECTIVES = (
    "sweet", "friendly", "discreet", "elegant", "bubbly", "playful", "gentle", "classy",
    "stunning", "curvy", "slim", "sexy", "charming", "naughty", "passionate", "relaxed",
    "warm", "cheeky", "sensual", "glamorous", "down to earth", "chatty", "genuine",
    "open minded", "caring", "smiley", "confident", "shy", "stylish", "natural", "fun loving",
    "easy going", "polite", "beautiful", "petite", "tall", "busty", "athletic", "tanned",
    "exotic",
)  # fmt: skip
NOUNS = (
    "lady", "companion", "girlfriend", "woman", "beauty", "angel", "princess", "doll",
    "brunette", "blonde", "redhead", "model", "hostess", "sweetheart", "treat", "star",
)  # fmt: skip
GREETINGS = (
    "Hi gentlemen", "Hello guys", "Hey there", "Welcome to my page", "Hello darling",
    "Hi boys", "Good day gents", "Hiya", "Hello you", "Welcome lovely gents", "Hey handsome",
    "Greetings gentlemen", "Hi there sweetie", "Hello new friends", "Hi and welcome",
)  # fmt: skip
INTRO_FIRST = (
    "I am {name}, a {a} and {b} {n}, {age} years old",
    "my name is {name}, I am {age} and a really {a} {n}",
    "this is {name}, {age}, your {a} {b} {n}",
    "I'm {name} ({age}), {a}, {b} and always smiling",
    "call me {name}, {age} years young, {a} {n} with a {b} side",
    "meet {name}, a {a} {nat} {n} aged {age}",
    "they call me {name}, {age}, the most {a} {n} you will meet",
    "{name} here, {age}, {a} {nat} {n} who loves to please",
)  # fmt: skip
INTRO_THIRD = (
    "this is {name}, {age}, a {a} and {b} {n}",
    "new girl {name}, {age}, she is {a} and very {b}",
    "meet {name} ({age}), our {a} {nat} {n}",
    "{name} is {age}, a {a} {n}, she does everything with a smile",
    "we have {name}, {age}, {a} {b} {n}, just arrived",
    "introducing {name}, {age} years old, a {a} {n} from {nat} lands",
)  # fmt: skip
LOCATION = (
    "I am based in {city} {area} for a few days",
    "you can find me in {city}, {area}",
    "now visiting {city}, clean flat {area}",
    "private and safe place in {city} {area}",
    "staying in {city} this week, {area}",
    "hotel visits and incalls in {city} {area}",
    "touring {city}, incall {area} and outcall",
    "my {a} apartment in {city} is {area}",
    "easy parking at my place in {city} {area}",
    "just arrived in {city}, staying {area}",
    "discreet location in {city}, {area}",
    "{city} based, {area}, outcalls by arrangement",
)  # fmt: skip
STYLE = (
    "I love a {a} {n} experience and a {b} chat",
    "expect a {a} time with a {b} {n}",
    "always {a}, never rushed, totally {b}",
    "perfect for a {a} evening or a {b} afternoon",
    "I offer a {a} massage and {b} company",
    "dinner dates, {a} cuddles and {b} conversation",
    "you will feel {a} and {b} in my company",
    "my {a} smile and {b} personality will win you over",
    "real {a} {n} experience, {b} and unhurried",
    "no rush, {a} and {b} from the moment you arrive",
    "treat yourself to something {a} and {b}",
    "ideal for {a} gentlemen who like a {b} {n}",
)  # fmt: skip
STYLE_THIRD = (
    "she is {a} and {b}, she speaks a little english",
    "she will make you feel {a}, ask for {name}",
    "our girls are {a} and {b}, different girls every week",
    "booking through our {a} receptionist, she does not rush",
    "two girls available, both {a} and {b}",
)  # fmt: skip
AVAIL = (
    "available {days}",
    "open {days}",
    "you can see me {days}",
    "working {days}, booking in advance preferred",
    "free {days}, last minute is fine",
    "here {days} only, do not miss me",
    "appointments {days}",
    "ready for you {days}",
)  # fmt: skip
PRICE = (
    "from £{price} per hour",
    "rates start at £{price}",
    "£{price} an hour, longer dates welcome",
    "half hour £{price}",
    "donations from £{price}",
    "special price £{price} today",
    "£{price} for the first hour",
    "only £{price}, cash only",
)  # fmt: skip
CONTACT = (
    "call or text {phone}",
    "text me on {phone}",
    "WhatsApp {phone}",
    "ring {phone}, no withheld numbers",
    "{phone}, text first please",
    "message me on {phone} for booking",
    "contact {phone} any time",
    "call {phone} now, no texts",
    "phone {phone}, I will answer if free",
)  # fmt: skip
CONTACT_THIRD = (
    "call my manager on {phone}",
    "text only no calls {phone}",
    "booking through {phone}, ask for {name}",
    "driver will bring her, call {phone}",
)  # fmt: skip
CLOSING = (
    "please be respectful",
    "kisses",
    "see you soon",
    "hygiene is a must",
    "gentlemen only",
    "no time wasters",
    "genuine photos",
    "looking forward to meeting you",
    "be polite and you will be treated well",
    "serious enquiries only",
    "come and relax",
    "you will not regret it",
    "love and kisses",
    "I reply to everyone",
)  # fmt: skip
EXTRA = (
    "I love {a} music and {b} nights out",
    "my photos are {a} and recent",
    "fluent in english and a little {nat}",
    "I enjoy {a} wine and {b} company",
    "clean, {a} and always on time",
    "I am a {a} student working part time",
    "smoking is not allowed at my {a} flat",
    "shower available, towels provided",
    "I travel to {a} hotels around {city}",
    "regulars always get a {a} welcome",
    "I like {a} men with {b} manners",
    "couples welcome by arrangement",
    "my reviews say I am {a} and {b}",
    "I keep everything {a} and confidential",
    "tall men and {a} guys welcome",
    "first timers welcome, I am {a} and {b}",
)  # fmt: skip
TITLES = (
    "{a} {name} in {city}",
    "{name} - {a} {n}",
    "new {a} {name}",
    "{name} {age} - {city}",
    "{a} {nat} {n} {name}",
    "{name} your {a} {n}",
    "{city}: {a} {name}",
    "{name} - {a} and {b}",
)  # fmt: skip


_A_VOWEL = re.compile(r"(^|\s)a ([aeiou])")


def _fill(rnd: random.Random, frame: str) -> str:
    """Fix a frame's {a}, {b} and {n} from the bank, leaving the advert's slots open."""
    a, b = rnd.sample(ADJECTIVES, 2)
    text = frame.replace("{a}", a).replace("{b}", b).replace("{n}", rnd.choice(NOUNS))
    return _A_VOWEL.sub(r"\1an \2", text)


@cache
def advert_template(seed: int, third_person: bool = False) -> tuple[str, str]:
    """The (title, body) wording template numbered ``seed``: the phrase bank's choices fixed,
    the slots {name} {age} {nat} {city} {area} {days} {price} {phone} left open."""
    rnd = random.Random(seed)
    intro = INTRO_THIRD if third_person else INTRO_FIRST
    style = STYLE + STYLE_THIRD if third_person else STYLE
    contact_ = CONTACT_THIRD + CONTACT if third_person else CONTACT
    parts = [
        rnd.choice(GREETINGS) + ", " + _fill(rnd, rnd.choice(intro)),
        _fill(rnd, rnd.choice(LOCATION)),
        _fill(rnd, rnd.choice(style)),
        *(_fill(rnd, f) for f in rnd.sample(EXTRA, rnd.randint(4, 5))),
        _fill(rnd, rnd.choice(STYLE)),
        rnd.choice(AVAIL),
        rnd.choice(PRICE),
        rnd.choice(contact_),
        rnd.choice(CLOSING),
    ]
    middle = parts[1:-4]
    rnd.shuffle(middle)
    parts[1:-4] = middle
    body = ". ".join(p[0].upper() + p[1:] for p in parts) + "."
    title = _fill(rnd, rnd.choice(TITLES))
    return title[0].upper() + title[1:], body


def advert_text(
    template: int,
    name: str,
    age: int,
    nat: str,
    city: str,
    days: str,
    phone: str,
    *,
    area: str = "city centre",
    price: int = 100,
    third_person: bool = False,
) -> tuple[str, str]:
    """Title and body of an advert from wording template ``template`` with its slots."""
    title, body = advert_template(template, third_person)
    values = {
        "name": name,
        "age": age,
        "nat": nat,
        "city": city,
        "area": area,
        "days": days,
        "price": price,
        "phone": phone,
    }
    return title.format(**values), body.format(**values)
