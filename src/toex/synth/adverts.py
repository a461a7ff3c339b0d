"""Partner-website advert text: templates with slots, working names and cities by region.

One controller writes every advert of the accounts they run from one template, varying only
the slots (name, age, city, days, phone), so near-duplicate text links those accounts; an
independent advertiser picks her own template. Phones in adverts are sometimes obscured with
words.
"""

from __future__ import annotations

WORKING_NAMES = (
    "Bella",
    "Angel",
    "Candy",
    "Roxy",
    "Jasmine",
    "Ruby",
    "Crystal",
    "Destiny",
    "Lola",
    "Mia",
    "Sasha",
    "Nikki",
    "Kitty",
    "Amber",
    "Scarlett",
    "Chloe",
    "Diamond",
    "Honey",
    "Jade",
    "Lexi",
    "Luna",
    "Paris",
    "Sienna",
    "Tiffany",
    "Vanessa",
    "Valentina",
    "Bianca",
    "Carla",
    "Daniela",
    "Gabriela",
    "Isabela",
    "Larissa",
    "Natasha",
    "Alina",
    "Andreea",
    "Denisa",
    "Roxana",
    "Kiki",
    "Coco",
    "Stella",
    "Eva",
    "Nina",
    "Sofia",
    "Lara",
    "Maya",
    "Zara",
    "Leila",
    "Anya",
)

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

TEMPLATES = (
    (
        "New in {city} - {name}",
        "Hi gentlemen, I am {name}, {age} years old, new in {city} for "
        "a few days only. Sweet, discreet and friendly. Available {days}. Call or text {phone}.",
    ),
    (
        "{name} - sexy {nat} girl",
        "Hello, my name is {name}, {age}, {nat} girl visiting {city}. "
        "Outcalls and incalls {days}. No withheld numbers. {phone}",
    ),
    (
        "Genuine {name} in {city}",
        "Genuine photos, {age} yo. I am {name} and I love meeting new "
        "people. In {city} {days}. Text me on {phone} x",
    ),
    (
        "{name} {age} - {city} centre",
        "{name} here, {nat}, {age}. Clean private flat in {city} "
        "centre. {days}. {phone}. Please be respectful.",
    ),
    (
        "Party girl {name}",
        "Fun and naughty {name} ({age}) now in {city}! {days}. Call {phone} for booking, no texts.",
    ),
    (
        "{name} - touring {city}",
        "Touring {city} this week. {name}, {age}, {nat}. Hotel visits {days}. WhatsApp {phone}",
    ),
    (
        "Mature {name}",
        "Mature and elegant {name}, {age}, independent lady in {city}. By "
        "appointment {days}. {phone}",
    ),
    (
        "{name} your student girlfriend",
        "Young student {name}, {age}, in {city} {days}. Shy at first ;) {phone}",
    ),
    (
        "Exotic {name} just arrived",
        "Just arrived in {city}! {nat} beauty {name}, {age}. {days}. Call {phone} now.",
    ),
    (
        "{name} - massage and more",
        "Relaxing massage by {name} ({age}) in {city}. {days}. Call {phone}.",
    ),
    ("Brand new {name}", "Brand new to the site! {name}, {age}, {city}. {days}. {phone}."),
    (
        "{name} VIP companion",
        "VIP companion {name}, {age}, for dinner dates in {city}. {days}. "
        "Serious enquiries {phone}",
    ),
)

DAYS = (
    "24/7",
    "every day 10am-late",
    "weekends only",
    "Mon-Fri",
    "this week only",
    "until Sunday",
    "evenings",
)


def advert_text(
    template: int, name: str, age: int, nat: str, city: str, days: str, phone: str
) -> tuple[str, str]:
    """Title and body of an advert from template number ``template`` with its slots."""
    title, body = TEMPLATES[template % len(TEMPLATES)]
    values = {"name": name, "age": age, "nat": nat, "city": city, "days": days, "phone": phone}
    return title.format(**values), body.format(**values)
