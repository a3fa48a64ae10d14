"""Generate the ipsmatch demo data set: data/demo/candidates.jsonl and openings.jsonl.

Every person, employer and opening written by this script is INVENTED. The content
tables below are hand-written; the seeded random generator only varies how they are
combined (hours, schedules, places, dates), so every run writes byte-identical files.

Run from the repository root (Python 3.11, standard library only):

    python data/demo/make_demo.py

Postcode centroids come from the Danish postcode table shipped in the package
(matcher/data/dk_postcodes.csv), and DISCO-08 codes are checked against the DISCO-08
table shipped beside it (matcher/data/disco08.csv; data card: matcher/data/README.md),
so the script needs nothing outside the checkout. Before writing, the
script checks the known-answer cases documented in data/demo/README.md (a plain reading
of the contract's violation rules) and stops with a message if an edit has broken one.
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NoReturn

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PACKAGED = REPO / "matcher" / "data"
POSTCODES_CSV = PACKAGED / "dk_postcodes.csv"
DISCO_CSV = PACKAGED / "disco08.csv"
CANDIDATES_OUT = HERE / "candidates.jsonl"
OPENINGS_OUT = HERE / "openings.jsonl"

SEED = 2026
REFERENCE_DATE = date(2026, 11, 22)  # the date the known-answer cases are written for
POSTED_FIRST = date(2026, 9, 1)
POSTED_LAST = date(2026, 11, 20)
N_EXPIRED = 15  # openings whose `expires` lies before REFERENCE_DATE
OCCUPATION_ABSENT_RATE = 0.12  # on generated job openings (education places add more)

Rec = dict[str, Any]

# --------------------------------------------------------------------------------------
# Places. Candidates and employers live in these towns; every postcode must exist in the
# packaged postcode table.
# --------------------------------------------------------------------------------------

CITIES: dict[str, tuple[int, tuple[str, ...]]] = {
    # city: (weight for candidates placed at random, postcodes)
    "København": (
        10,
        (
            "2400",
            "2200",
            "2100",
            "2300",
            "2450",
            "2500",
            "2700",
            "2720",
            "2860",
            "2800",
            "2605",
            "2630",
            "1799",
            "2610",
            "2650",
        ),
    ),
    "Aarhus": (5, ("8000", "8200", "8210", "8220", "8260", "8240")),
    "Odense": (3, ("5000", "5200", "5220", "5260")),
    "Aalborg": (3, ("9000", "9200", "9220", "9400")),
    "Esbjerg": (2, ("6700", "6705", "6710")),
    "Vejle": (1, ("7100", "7120")),
    "Herning": (2, ("7400", "7430", "7490", "6900")),
    "Roskilde": (1, ("4000",)),
    "Næstved": (1, ("4700",)),
    "Holbæk": (1, ("4300",)),
    "Svendborg": (1, ("5700",)),
    "Viborg": (1, ("8800",)),
    "Randers": (1, ("8900", "8920")),
    "Hjørring": (1, ("9800",)),
    "Slagelse": (1, ("4200",)),
    "Silkeborg": (1, ("8600",)),
    "Holstebro": (1, ("7500",)),
    "Rønne": (1, ("3700",)),
    "Nykøbing F": (1, ("4800",)),
    "Skive": (1, ("7800",)),
}
BIG_CITIES = ("København", "Aarhus", "Odense", "Aalborg")
CITY_OF = {pc: city for city, (_, pcs) in CITIES.items() for pc in pcs}

# --------------------------------------------------------------------------------------
# Job templates by sector, written with job(titles, DISCO-08 code or None, hour ranges,
# schedule options, text, ...): titles and schedule options are separated by "|". One
# title, one text, one hour range and one schedule are drawn; the hours/schedule sentence
# is written from the drawn values so that text and fields agree. A sector key may carry a
# kind of workplace after a dash ("animals-clinic") so that a vet clinic does not post
# stable work; the part before the dash is the sector.
# --------------------------------------------------------------------------------------

Job = tuple[
    tuple[str, ...],
    str | None,
    tuple[str, ...],
    tuple[tuple[int, int], ...],
    tuple[tuple[str, ...], ...],
    dict[str, Any] | None,
]


def job(
    titles: str,
    disco: str | None,
    hours: str,
    schedules: str,
    *texts: str,
    req: Rec | None = None,
) -> Job:
    hour_ranges = tuple((int(lo), int(hi)) for lo, hi in (h.split("-") for h in hours.split()))
    return (
        tuple(t.strip() for t in titles.split("|")),
        disco,
        texts,
        hour_ranges,
        tuple(tuple(s.split()) for s in schedules.split("|")),
        req,
    )


# fmt: off
ANIMAL_HELPER = job(
    "Dyrepasser-medhjælper | Medhjælper til dyrepasning", "5164", "10-15 15-20 20-30",
    "day | day weekend",
    "Fodring, rengøring af bure og pasning af hunde og katte.",
    "Du hjælper med fodring, luftning af hunde og rengøring af bure og løbegårde.",
    req={"languages": ["da"]})
STABLE_HELPER = job(
    "Staldmedhjælper", "9212", "10-20 20-30 30-37", "day | day weekend",
    "Udmugning, fodring og strøelse i stalden. Tunge løft forekommer.",
    "Fodring og pasning af heste samt rengøring af bokse. Udendørs arbejde i al slags vejr.")

JOBS_DA: dict[str, list[Job]] = {
    "animals-clinic": [
        ANIMAL_HELPER,
        job("Medhjælper på dyreklinik", "5164", "10-15 15-25", "day | day evening",
            "Rengøring af bure, klargøring af behandlingsrum og pasning af indlagte dyr.",
            req={"languages": ["da"]}),
    ],
    "animals-kennel": [
        ANIMAL_HELPER,
        job("Hundelufter", "5164", "8-12 10-15", "day",
            "Luftning af hunde i små grupper i parker og skove i nærområdet. "
            "Du er udendørs det meste af dagen."),
    ],
    "animals-park": [
        ANIMAL_HELPER,
        STABLE_HELPER,
        job("Dyrepasser i dyrepark", "5164", "20-30 30-37", "day weekend",
            "Fodring af geder, får og høns samt rengøring af folde. Mange besøgende i "
            "weekenden, så der er en del kundekontakt."),
    ],
    "animals-stable": [
        STABLE_HELPER,
        job("Hjælper på rideskole", "5164", "8-12 10-15", "day weekend | day",
            "Strigling og opsadling af ponyer og oprydning i sadelrummet."),
    ],
    "warehouse": [
        job("Lagermedarbejder", "4321", "15-20 20-30 37-37",
            "day | day evening | evening night",
            "Pluk og pak af ordrer, vareindlevering og oprydning på lageret.",
            "Vareindlevering, optælling og klargøring af forsendelser. Tunge løft forekommer.",
            req={"skills": ["truckcertifikat"]}),
        job("Pakkerimedarbejder | Pakkemedarbejder", "9321", "10-15 15-20 20-30",
            "day | evening",
            "Pakning af webordrer og klargøring af forsendelser ved pakkebordet. "
            "Roligt og overskueligt arbejde."),
        job("Truckfører", "8344", "30-37 37-37", "day | day evening | night",
            "Aflæsning af lastbiler og placering af paller på reoler. "
            "Støjende miljø med mange trucks.",
            req={"skills": ["truckcertifikat"]}),
        job("Lagermedhjælper, nat", "9333", "15-20 20-30", "night | evening night",
            "Lastning og losning af biler om natten. Tunge løft og nattevagter."),
    ],
    "kitchen-canteen": [
        job("Køkkenmedhjælper", "9412", "10-15 15-20 20-30", "day",
            "Forberedelse af grøntsager og salater, opvask og oprydning i et kantinekøkken. "
            "Roligt køkken uden gæster.",
            "Du hjælper med frokost til medarbejderne og tager opvasken bagefter.",
            req={"skills": ["hygiejnecertifikat"]}),
        job("Opvasker i kantine", "9412", "10-15 15-20", "day",
            "Opvask og oprydning efter frokosten og rengøring af køkkenet."),
        job("Kok til kantine | Kok", "5120", "30-37 37-37", "day",
            "Madlavning til 150 kuverter i kantinen. Erfaring med storkøkken er en fordel.",
            req={"skills": ["hygiejnecertifikat", "storkøkken"]}),
    ],
    "kitchen-cafe": [
        job("Opvasker", "9412", "10-15 15-25", "evening weekend | day weekend",
            "Opvask, oprydning og rengøring af køkkenet. "
            "Travlt og støjende køkken i weekenderne."),
        job("Køkkenhjælp i café | Cafémedarbejder", "9412", "10-15 15-20",
            "day | day weekend",
            "Smørrebrød, kaffe og opvask. Meget kundekontakt ved disken og travle frokoster."),
        job("Kokkemedhjælper", "9412", "15-20 20-30", "evening weekend | evening",
            "Forberedelse af råvarer og anretning af retter i et travlt køkken."),
    ],
    "cleaning": [
        job("Rengøringsassistent", "9112", "10-15 15-20 20-30 37-37",
            "day | evening | day evening",
            "Rengøring af kontorer, toiletter og mødelokaler. Du arbejder mest alene.",
            "Daglig rengøring på en skole. Faste ruter og faste kolleger."),
        job("Rengøringsassistent, nat", "9112", "15-20 20-30", "night",
            "Rengøring af butikker og et indkøbscenter om natten med maskiner. Nattevagter."),
        job("Vinduespudser", "9123", "20-30 30-37", "day",
            "Vinduespudsning hos private og erhverv. Udendørs arbejde og arbejde på stige.",
            req={"driving_licence": True}),
        job("Servicemedarbejder", "9112", "20-30 30-37", "day | day weekend",
            "Rengøring, oprydning og opfyldning af forbrugsvarer på et hospital. "
            "Korte samtaler med patienter og personale."),
    ],
    "retail": [
        job("Butiksassistent | Salgsmedarbejder i butik", "5223", "10-15 15-20 20-30 30-37",
            "day weekend | day evening weekend",
            "Salg og vejledning af kunder, varepåfyldning og kasse. Meget kundekontakt."),
        job("Varepåfylder", "9334", "8-12 10-15 15-20", "day | evening | night",
            "Varepåfyldning og oprydning på hylderne før åbningstid. Kun lidt kundekontakt."),
        job("Kasseassistent", "5230", "10-15 15-20", "day evening weekend | evening weekend",
            "Kasseekspedition og hjælp til kunderne. Travlt i weekenderne.",
            req={"skills": ["kasseekspedition"]}),
        job("Lagermedhjælper i butik", "9334", "10-15 15-20", "day",
            "Modtagelse af varer i baglageret, udpakning og oprydning. Tunge løft forekommer."),
    ],
    "it": [
        job("IT-supporter", "3512", "20-30 30-37 37-37", "day",
            "Førstelinjesupport til medarbejdere på telefon og mail samt opsætning af pc'er "
            "og telefoner.",
            req={"skills": ["Office 365"], "languages": ["da"]}),
        job("IT-medhjælper", "3512", "10-15 15-20 20-30", "day",
            "Klargøring af computere, udskiftning af hardware og hjælp til brugerne.",
            "Opsætning af pc'er og skærme, registrering af udstyr og oprydning på IT-lageret."),
        job("Softwaretester", "2519", "10-20 20-30", "day",
            "Test af vores app og hjemmeside efter faste testbeskrivelser. "
            "Roligt arbejde ved skærmen."),
    ],
    "it-support": [
        job("IT-supporter", "3512", "20-30 30-37", "day",
            "Hjælp til brugerne på telefon og ved skranken, opsætning af pc'er og printere."),
        job("IT-medhjælper", "3512", "10-15 15-20 20-30", "day",
            "Klargøring af computere, udskiftning af hardware og hjælp til brugerne.",
            "Reparation af bærbare og telefoner, installation af programmer og "
            "kopiering af data."),
    ],
    "gardening-nursery": [
        job("Gartnermedhjælper", "9214", "10-15 15-20 20-30 37-37", "day | day weekend",
            "Lugning, beskæring og plantning i planteskolen.",
            "Vanding, ompotning og pasning af planter i væksthuset."),
        job("Væksthusmedarbejder", "6113", "15-20 20-30", "day",
            "Pasning af potteplanter: vanding, ompotning og pakning til butikkerne."),
        job("Salgsmedarbejder i plantecenter", "5223", "10-15 15-20", "day weekend",
            "Salg og rådgivning om planter og havebrug. Meget kundekontakt i weekenderne."),
    ],
    "gardening-parks": [
        job("Medarbejder til grønne områder", "9214", "20-30 30-37", "day",
            "Græsslåning, hækklipning og renholdelse af parker. Udendørs arbejde hele året.",
            req={"driving_licence": True}),
        job("Anlægsgartnermedhjælper", "6113", "30-37 37-37", "day",
            "Belægning og beplantning af haver og gårdrum. Tunge løft forekommer."),
        job("Gartnermedhjælper", "9214", "15-20 20-30", "day",
            "Plantning, lugning og beskæring i parker og boligområder."),
    ],
    "caretaker": [
        job("Ejendomsfunktionær | Viceværtmedhjælper", "5153", "20-30 37-37", "day",
            "Små reparationer, oprydning og vedligehold i boligafdelingen. "
            "Daglig kontakt med beboerne."),
        job("Ejendomsservicemedhjælper", "5153", "15-20 20-30 37-37", "day",
            "Trappevask, græsslåning og småreparationer i boligforeningen. "
            "Udendørs og indendørs arbejde.",
            req={"driving_licence": True}),
        job("Handyman", "9622", "10-15 15-20", "day",
            "Småreparationer, flytning af møbler og praktiske opgaver i vores bygninger."),
    ],
    "office": [
        job("Kontorassistent", "4110", "10-15 15-20 20-30 37-37", "day",
            "Scanning, arkivering og registrering af bilag. Stille kontor med faste opgaver.",
            req={"skills": ["Excel"]}),
        job("Receptionist", "4226", "15-20 20-30 37-37", "day",
            "Modtagelse af gæster, telefonomstilling og post. Meget kundekontakt."),
        job("Medarbejder til dataregistrering", "4132", "10-15 15-20 20-30",
            "day | day evening",
            "Indtastning af data i vores systemer. Stille arbejde ved skærmen."),
        job("Arkivmedarbejder", "4415", "10-15 15-20", "day",
            "Sortering, scanning og arkivering af gamle sager."),
    ],
    "care": [
        job("Aktivitetsmedarbejder på plejecenter | Aktivitetsmedhjælper", "5329",
            "10-15 15-20 20-30", "day | day weekend",
            "Gåture, spil, sang og hygge med beboerne."),
        job("Serviceassistent på plejecenter", "9412", "15-20 20-30", "day | day weekend",
            "Anretning af mad, opvask og lettere rengøring i beboernes køkken.",
            req={"skills": ["hygiejnecertifikat"]}),
        job("Social- og sundhedshjælper, vikar", "5322", "20-30 30-37",
            "day evening | evening night | day weekend",
            "Personlig pleje og praktisk hjælp til ældre. Vikariat med mulighed for fast "
            "stilling.",
            req={"skills": ["social- og sundhedshjælper"]}),
        job("Nattevagt, omsorgsmedhjælper", "5322", "15-20 20-30", "night",
            "Rolig nattevagt med tilsyn og hjælp til beboerne. Nattevagter hver anden uge."),
    ],
    "transport": [
        job("Cykelbud", "9331", "10-15 15-20 20-30", "day | day evening",
            "Levering af pakker og dokumenter på ladcykel i byen. Du er ude i al slags vejr."),
        job("Chauffør til varebil", "8322", "20-30 37-37", "day",
            "Udbringning af varer til butikker og virksomheder. Tunge løft forekommer.",
            req={"driving_licence": True}),
        job("Avisbud", "9621", "6-10 8-12", "night | night weekend",
            "Omdeling af aviser tidligt om morgenen mellem kl. 3 og 6. Nattevagter."),
        job("Pakkeomdeler", "4412", "15-20 20-30", "day",
            "Omdeling af pakker og breve på en fast rute. Udendørs arbejde."),
    ],
    "construction": [
        job("Byggemedhjælper | Håndværkermedhjælper", "9313", "20-30 37-37", "day",
            "Oprydning, bæring af materialer og hjælp til håndværkerne. "
            "Tunge løft og støjende miljø."),
        job("Malermedhjælper", "7131", "20-30 37-37", "day",
            "Afdækning, slibning og maling af vægge og lofter. Kørsel mellem byggepladser.",
            req={"driving_licence": True}),
        job("Nedrivningsmedarbejder", "9313", "30-37 37-37", "day",
            "Nedrivning af køkkener og lette vægge samt sortering af affald. Støjende miljø."),
    ],
    "library": [
        job("Biblioteksmedhjælper", "4411", "8-12 10-15 15-20",
            "day | day evening | evening weekend",
            "Opstilling af bøger, sortering af afleveringer og hjælp ved skranken."),
        job("Magasinmedarbejder", "4415", "10-15 15-20", "day",
            "Pakning og registrering af bøger og arkivalier i magasinet. "
            "Stille arbejde uden kundekontakt."),
    ],
    "culture-venue": [
        job("Lydtekniker-assistent | Assistent til lyd og lys", "3521", "10-15 15-20",
            "evening weekend | evening",
            "Opsætning af lyd og lys til koncerter og nedtagning bagefter. "
            "Høj musik og aftenarbejde."),
        job("Scenearbejder", None, "8-12 10-15 15-20", "evening night | evening weekend",
            "Opbygning af scene, bæring af udstyr og oprydning efter koncerter. Tunge løft."),
        job("Billet- og garderobemedarbejder", "5230", "8-12 10-15", "evening weekend",
            "Billetsalg, garderobe og information til publikum. Meget kundekontakt."),
        job("Bartender", "5132", "8-12 10-15 15-20", "evening night weekend",
            "Servering i baren til koncerter. Travlt og støjende miljø."),
    ],
    "culture-rental": [
        job("Lydtekniker-assistent | Assistent til lyd og lys", "3521", "10-15 15-20",
            "day evening | evening weekend",
            "Opsætning af lyd og lys til fester, konferencer og koncerter. "
            "Høj musik og aftenarbejde."),
        job("Lagermedarbejder i udlejning", "4321", "10-15 15-20 20-30", "day",
            "Klargøring, test og pakning af lyd- og lysudstyr til udlejning. Tunge løft."),
    ],
    "bakery": [
        job("Bagermedhjælper", "7512", "15-20 20-30 37-37", "night | night weekend",
            "Æltning, formning og bagning af brød. Arbejdsdagen starter kl. 3 om natten."),
        job("Bageriekspedient | Butiksmedhjælper i bageri", "5223", "10-15 15-20 20-30",
            "day weekend",
            "Salg over disken, kaffe og smøring af sandwich. Meget kundekontakt."),
        job("Opvasker i bageri", "9412", "10-15 15-20", "day",
            "Opvask af bageplader og maskiner samt rengøring af bageriet."),
    ],
    "hotel": [
        job("Rengøringsassistent på hotel | Roomattendant", "9112", "15-20 20-30 30-37",
            "day weekend",
            "Rengøring af hotelværelser og skift af linned. Højt tempo i sommersæsonen."),
        job("Natportier", "4224", "20-30 30-37", "night | night weekend",
            "Check-in af sene gæster, kontrolrunder og lidt bogføring. "
            "Nattevagter, ofte alene.",
            req={"languages": ["da", "en"]}),
        job("Morgenmadsmedarbejder", "9412", "10-15 15-20", "day weekend",
            "Opdækning af morgenmadsbuffet, genopfyldning og opvask. Kontakt med gæsterne."),
        job("Hotelreceptionist", "4224", "20-30 37-37", "day evening weekend",
            "Check-in og check-out, booking og service for gæsterne. Meget kundekontakt.",
            req={"languages": ["da", "en"]}),
    ],
    "agriculture-cattle": [
        job("Landbrugsmedhjælper", "9213", "20-30 30-37 37-37", "day | day weekend",
            "Markarbejde, fodring og rengøring af stalde. Traktorkørsel kan forekomme.",
            req={"driving_licence": True}),
        job("Malkemedhjælper", "9212", "15-25 25-37", "day weekend",
            "Malkning og fodring i en kvægbesætning. Tidlige morgener og weekendarbejde."),
        job("Medhjælper til kalvepasning", "9212", "10-15 15-20", "day | day weekend",
            "Fodring af kalve med mælk og rengøring af kalvehytter."),
    ],
    "agriculture-mixed": [
        job("Landbrugsmedhjælper", "9213", "20-30 30-37 37-37", "day | day weekend",
            "Markarbejde, fodring og rengøring af stalde. Traktorkørsel kan forekomme.",
            req={"driving_licence": True}),
        job("Sæsonmedarbejder i marken", "9211", "15-20 20-30 37-37", "day | day weekend",
            "Plukning og sortering af jordbær og grøntsager. "
            "Udendørs arbejde i sommerhalvåret."),
        job("Medhjælper i svinestald", "9212", "20-30 37-37", "day | day weekend",
            "Fodring, rengøring og flytning af grise. Støjende miljø og tunge løft."),
    ],
    "production": [
        job("Produktionsmedarbejder", "8160", "20-30 37-37",
            "day | day evening | evening night",
            "Betjening af pakkemaskine og kontrol af varer på produktionslinjen. "
            "Støjende miljø."),
        job("Pakkerimedarbejder i fødevareproduktion", "9321", "15-20 20-30 37-37", "day",
            "Pakning af fisk og fødevarer i kølerum. Faste pauser og fast arbejdsgang.",
            req={"skills": ["hygiejnecertifikat"]}),
    ],
    "recycling-site": [
        job("Medarbejder på genbrugsplads", "9612", "15-20 20-30 37-37", "day | day weekend",
            "Vejledning af borgere i sortering og oprydning på pladsen. "
            "Meget kundekontakt og udendørs arbejde."),
        job("Sorteringsmedarbejder", "9612", "15-20 20-30", "day | evening",
            "Sortering af genbrugsmaterialer ved båndet. Støjende miljø."),
    ],
    "recycling-shop": [
        job("Medhjælper i genbrugsbutik", "5223", "8-12 10-15 15-20", "day | day weekend",
            "Sortering og prismærkning af tøj og ting samt hjælp ved kassen."),
        job("Lagermedhjælper i genbrugsbutik", "9334", "10-15 15-20", "day",
            "Modtagelse af donationer, sortering og bæring af møbler. Tunge løft."),
    ],
}

JOBS_EN: dict[str, list[Job]] = {
    "animals-kennel": [
        job("Animal caretaker", "5164", "10-20 15-25", "day | day weekend",
            "Feeding, cleaning kennels and caring for dogs and cats at our boarding centre.",
            req={"languages": ["en"]}),
        job("Dog walker", "5164", "8-12 10-15", "day",
            "Walking small groups of dogs in local parks. "
            "You spend most of the day outdoors."),
    ],
    "warehouse": [
        job("Warehouse associate", "4321", "15-20 20-30 37-37",
            "day | day evening | evening night",
            "Picking and packing orders, receiving goods and keeping the warehouse tidy. "
            "Some heavy lifting.",
            "Receiving goods, counting stock and preparing shipments in a busy warehouse.",
            req={"languages": ["en"]}),
        job("Forklift driver", "8344", "30-37", "day | night",
            "Unloading trucks and moving pallets with a reach truck. Noisy environment.",
            req={"skills": ["forklift licence"], "languages": ["en"]}),
        job("Packing assistant", "9321", "10-15 15-20", "day",
            "Packing web orders and preparing parcels at a quiet packing station."),
    ],
    "cleaning": [
        job("Cleaning assistant", "9112", "10-15 15-20 20-25", "day | evening",
            "Cleaning offices, meeting rooms and kitchens for our clients. "
            "You mostly work alone."),
        job("Night cleaner", "9112", "15-20 20-30", "night",
            "Machine cleaning of shops and a shopping centre at night. Night shifts."),
    ],
    "retail": [
        job("Shop assistant", "5223", "10-15 15-20 20-30", "day weekend",
            "Serving customers, restocking shelves and working the till in our design store. "
            "Lots of customer contact.",
            req={"languages": ["en"]}),
        job("Stock assistant", "9334", "8-12 10-15", "day",
            "Unpacking deliveries and restocking shelves before opening hours. "
            "Little customer contact."),
    ],
    "it": [
        job("IT helpdesk assistant", "3512", "20-30 30-37", "day",
            "First-line support for colleagues by phone, chat and in person; "
            "setting up laptops and accounts.",
            req={"languages": ["en"]}),
        job("Junior IT support technician", "3512", "15-20 20-30", "day",
            "Preparing laptops, replacing hardware and helping users in the office."),
        job("Software tester", "2519", "10-20 20-30", "day",
            "Testing our web shop and mobile app from written test scripts. "
            "Quiet work at a screen."),
    ],
    "gardening-urban": [
        job("Gardener's assistant | Urban farm helper", "9214", "10-15 15-20 20-30",
            "day | day weekend",
            "Weeding, planting and harvesting on our urban farm and rooftop gardens."),
    ],
    "office": [
        job("Office assistant", "4110", "15-20 20-30", "day",
            "Scanning, filing and registering invoices in a quiet office.",
            req={"languages": ["en"]}),
        job("Data entry assistant", "4132", "10-15 15-20 20-30", "day",
            "Entering orders and customer data into our systems. Quiet work at a screen."),
        job("Customer service agent", "4222", "20-30 30-37", "day | day evening",
            "Answering customer emails and calls in English. Lots of customer contact.",
            req={"languages": ["en"]}),
    ],
    "transport": [
        job("Bike courier", "9331", "10-15 15-20 20-30", "day | day evening",
            "Delivering parcels and documents by cargo bike around the city in all weathers."),
        job("Delivery driver", "8322", "20-30 37-37", "day",
            "Delivering goods to shops and offices in a small van. Some heavy lifting.",
            req={"driving_licence": True}),
    ],
    "transport-bike": [
        job("Bike courier", "9331", "10-15 15-20 20-30", "day | day evening",
            "Delivering parcels and documents by cargo bike around the city in all weathers."),
        job("Bike mechanic assistant", "7234", "10-15 15-20", "day",
            "Keeping our cargo bikes running: tyres, brakes and chains in a small, quiet "
            "workshop."),
    ],
    "culture-rental": [
        job("Stagehand", None, "8-12 10-20", "evening night | evening weekend",
            "Building stages, carrying equipment and clearing up after events. "
            "Heavy lifting."),
        job("Sound assistant", "3521", "10-15 15-20", "evening | day evening",
            "Setting up sound and lights for concerts and conferences. "
            "Loud music and evening work."),
    ],
    "hotel": [
        job("Room attendant", "9112", "15-20 20-30", "day weekend",
            "Cleaning guest rooms and changing linen in our hostel."),
        job("Night receptionist", "4224", "20-30 30-37", "night",
            "Checking in late guests and keeping the lobby safe. Night shifts, often alone.",
            req={"languages": ["en"]}),
        job("Breakfast host", "9412", "10-15 15-20", "day weekend",
            "Setting up the breakfast buffet, refilling and clearing tables. "
            "Contact with guests."),
    ],
}
# fmt: on

EXTRA_DA = (
    "Du får en fast kollega de første uger.",
    "Vi er en arbejdsplads med plads til forskellighed.",
    "Tiltrædelse hurtigst muligt eller efter aftale.",
    "Erfaring er ikke et krav – vi lærer dig op.",
    "Der er mulighed for flere timer på sigt.",
)
EXTRA_EN = (
    "You will get a buddy for your first weeks.",
    "Start as soon as possible.",
    "You join a friendly, patient team.",
    "No previous experience needed; we train you.",
)

# --------------------------------------------------------------------------------------
# Employers (all invented): name, industry, postcode, sector key of the job templates,
# language of their postings, size.
# Size s/m/l sets how many openings an employer posts (1-8); "edu" providers post only
# their hand-written education places.
# --------------------------------------------------------------------------------------

EMPLOYERS: list[tuple[str, str, str, str, str, str]] = [
    # Storkøbenhavn
    ("Dyreklinikken Nordvest", "dyreklinik", "2400", "animals-clinic", "da", "s"),
    ("Hundepensionen ved Mosen", "hundepension", "2700", "animals-kennel", "da", "s"),
    ("Happy Paws Copenhagen ApS", "pet care", "2200", "animals-kennel", "en", "s"),
    ("Dyreinternatet Amagerbro", "dyreinternat", "2300", "animals-kennel", "da", "s"),
    ("NV Lager & Logistik A/S", "lager og logistik", "2400", "warehouse", "da", "m"),
    ("Nordic Fulfilment Hub ApS", "e-commerce logistics", "2605", "warehouse", "en", "l"),
    ("Frokostkøkkenet Sydhavn ApS", "kantine", "2450", "kitchen-canteen", "da", "m"),
    ("Renlig Erhvervsservice A/S", "rengøring", "2500", "cleaning", "da", "l"),
    ("CleanDesk Services ApS", "office cleaning", "2300", "cleaning", "en", "m"),
    ("Brønshøj Boligservice", "ejendomsservice", "2700", "caretaker", "da", "s"),
    ("Nørrebro Budservice", "budservice", "2200", "transport", "da", "m"),
    ("Copenhagen Cargo Bikes ApS", "courier services", "2100", "transport-bike", "en", "s"),
    ("Helpdesk Partner Danmark ApS", "IT-service", "2860", "it", "da", "m"),
    ("Lyngby Plantecenter", "planteskole", "2800", "gardening-nursery", "da", "m"),
    ("Lærkehøj Bibliotek", "bibliotek", "2720", "library", "da", "s"),
    ("Spillestedet Kælderen Syd", "spillested", "2300", "culture-venue", "da", "m"),
    ("Soundcheck CPH ApS", "event production", "2450", "culture-rental", "en", "s"),
    ("Hotel Østerlund", "hotel", "2100", "hotel", "da", "m"),
    ("Harbourside Hostel Copenhagen", "hostel", "1799", "hotel", "en", "m"),
    ("Plejecentret Kildevang", "plejecenter", "2860", "care", "da", "m"),
    ("Bageriet på Hjørnet", "bageri", "2200", "bakery", "da", "s"),
    ("Taastrup Grossistlager A/S", "engroshandel", "2630", "warehouse", "da", "l"),
    ("Byggeservice Hovedstaden ApS", "byggeri", "2605", "construction", "da", "m"),
    ("Brightline Software ApS", "software", "2100", "it", "en", "s"),
    ("Købmandsgården Nordvest", "dagligvarer", "2400", "retail", "da", "m"),
    ("Nordic Design Store ApS", "design retail", "1799", "retail", "en", "s"),
    # Aarhus
    ("Fjordbyte Solutions ApS", "software", "8000", "it", "en", "s"),
    ("Revisionshuset Kattegat", "revision og rådgivning", "8200", "office", "da", "s"),
    ("NordicReach Contact Center ApS", "contact centre", "8210", "office", "en", "m"),
    ("Skole-IT Brabrand", "skole-IT", "8220", "it-support", "da", "s"),
    ("Dyreklinikken Hasle", "dyreklinik", "8210", "animals-clinic", "da", "s"),
    ("Østjysk Lagerhotel A/S", "lager og logistik", "8260", "warehouse", "da", "l"),
    ("Viby Storkøkken", "kantine", "8260", "kitchen-canteen", "da", "m"),
    ("Hotel Havnefronten", "hotel", "8000", "hotel", "da", "m"),
    ("Green Roots Aarhus ApS", "urban farming", "8200", "gardening-urban", "en", "s"),
    ("Jutland Warehouse Services ApS", "third-party logistics", "8200", "warehouse", "en", "m"),
    # Odense
    ("Fynsk Emballage A/S, kantinen", "kantine", "5200", "kitchen-canteen", "da", "s"),
    ("Plejecentret Lindehaven", "plejecenter", "5260", "care", "da", "m"),
    ("Café Vestergade 7", "café", "5000", "kitchen-cafe", "da", "s"),
    ("Restaurant Åkanten", "restaurant", "5000", "kitchen-cafe", "da", "s"),
    ("Dyrepensionen Fynsland", "dyrepension", "5220", "animals-kennel", "da", "s"),
    ("Fyns Rengøringsteam ApS", "rengøring", "5200", "cleaning", "da", "m"),
    ("Odense Lager & Distribution", "lager", "5220", "warehouse", "da", "m"),
    ("Fynske Blomster og Planter", "gartneri", "5260", "gardening-nursery", "da", "s"),
    # Aalborg
    ("Aalborg Grønne Anlæg ApS", "anlægsgartner", "9220", "gardening-parks", "da", "m"),
    ("Limfjordsbageriet", "bageri", "9000", "bakery", "da", "s"),
    ("Nordjysk Lager A/S", "lager", "9200", "warehouse", "da", "m"),
    ("Hotel Limfjordsbroen", "hotel", "9000", "hotel", "da", "m"),
    ("Spillestedet Skibsloftet", "spillested", "9000", "culture-venue", "da", "s"),
    ("Dyreklinikken Nørresundby", "dyreklinik", "9400", "animals-clinic", "da", "s"),
    # Esbjerg, Vejle
    ("Vestkystens Fiskepakkeri A/S", "fødevareproduktion", "6700", "production", "da", "m"),
    ("Dyreparken Vestkysten", "dyrepark", "6710", "animals-park", "da", "s"),
    ("Hotel Fjordbakken", "hotel", "7100", "hotel", "da", "m"),
    ("Genbrugspladsen Vejle Nord", "genbrug", "7100", "recycling-site", "da", "s"),
    # Herning and around
    ("Kvægbruget Hedegården", "landbrug", "7400", "agriculture-cattle", "da", "s"),
    ("Mælkegården Aulum", "landbrug", "7490", "agriculture-cattle", "da", "s"),
    ("Herning Møbellager A/S", "lager", "7400", "warehouse", "da", "m"),
    ("Skjern Å Gartneri", "gartneri", "6900", "gardening-nursery", "da", "s"),
    # Sjælland
    ("Roskilde Rideskole og Pensionsstald", "rideskole", "4000", "animals-stable", "da", "s"),
    ("Festivalbyens Lydudlejning", "lyd- og lysudlejning", "4000", "culture-rental", "da", "s"),
    ("Sydsjællands Rengøring ApS", "rengøring", "4700", "cleaning", "da", "m"),
    ("Susåens Planteskole", "planteskole", "4700", "gardening-nursery", "da", "s"),
    ("Omsorgsteamet Vest", "hjemmepleje", "4300", "care", "da", "m"),
    ("Gården ved Tuse Næs", "landbrug", "4300", "agriculture-mixed", "da", "s"),
    # Fyn, Jylland, Bornholm, Lolland-Falster
    ("Svendborg Havnebageri", "bageri", "5700", "bakery", "da", "s"),
    ("Sydfyns Hotel og Kro", "hotel", "5700", "hotel", "da", "s"),
    ("Hald Ege Lokalbibliotek", "bibliotek", "8800", "library", "da", "s"),
    ("Viborg Pakkecenter", "pakkeri", "8800", "warehouse", "da", "m"),
    ("Gudenå Dyrehospital", "dyrehospital", "8900", "animals-clinic", "da", "s"),
    ("Randers Produktionskøkken", "produktionskøkken", "8920", "kitchen-canteen", "da", "s"),
    ("Vendsyssel Transport & Bud", "transport", "9800", "transport", "da", "s"),
    ("Tøjhuset Nord", "tøjbutik", "9800", "retail", "da", "s"),
    ("Bornholms Røgeri og Pakkeri", "fødevareproduktion", "3700", "production", "da", "s"),
    ("Silkeborg IT-værksted", "IT-service", "8600", "it-support", "da", "s"),
    ("Plejecentret Engbo", "plejecenter", "7500", "care", "da", "s"),
    ("Genbrugsbutikken Guldborgsund", "genbrugsbutik", "4800", "recycling-shop", "da", "s"),
    # Education providers
    ("Limfjordens Erhvervsskole", "erhvervsuddannelse og AMU", "9200", "education", "da", "edu"),
    ("Kattegat Erhvervsskole", "erhvervsuddannelse og AMU", "8200", "education", "da", "edu"),
    ("AMU Storebælt Kursuscenter", "AMU", "4200", "education", "da", "edu"),
    ("Gudenå VUC", "VUC og HF-enkeltfag", "8900", "education", "da", "edu"),
    ("Produktionsskolen ved Volden", "produktionsskole", "2720", "education", "da", "edu"),
    ("Erhvervsskolen Vadehavet", "erhvervsuddannelse", "6700", "education", "da", "edu"),
]

SIZES = {"s": (1, 2, 3, 3, 4, 4), "m": (3, 4, 5, 5, 6), "l": (6, 7, 8, 8)}

# --------------------------------------------------------------------------------------
# Hand-written openings: the known-answer cases (tag "kaN-...") and all education places.
# Keyed by employer name. Dates: "live" = posted in range, expires in 2027.
# --------------------------------------------------------------------------------------


def _req(
    skills: list[str] | None = None, licence: bool = False, languages: list[str] | None = None
) -> Rec:
    return {"skills": skills or [], "driving_licence": licence, "languages": languages or []}


PINNED: dict[str, list[Rec]] = {
    # c-0001: animals near 2400, 10-20 h, day, 15 km, no licence, warehouse background
    "Dyreklinikken Nordvest": [
        {
            "_tag": "ka1-animal",
            "title": "Dyrepasser-medhjælper",
            "description": "Fodring, rengøring af bure og pasning af hunde og katte på klinikkens "
            "afdeling for indlagte dyr. 15-20 timer om ugen, dagvagter.",
            "occupation": "5164",
            "hours_per_week": {"min": 15, "max": 20},
            "schedule": ["day"],
            "requires": _req(languages=["da"]),
        }
    ],
    "Hundepensionen ved Mosen": [
        {
            "_tag": "ka1-animal",
            "title": "Medhjælper i hundepension",
            "description": "Luftning af hunde, fodring og rengøring af løbegårde. Du er udendørs "
            "det meste af tiden. 10-16 timer om ugen, dagvagter.",
            "occupation": "5164",
            "hours_per_week": {"min": 10, "max": 16},
            "schedule": ["day"],
        }
    ],
    "Happy Paws Copenhagen ApS": [
        {
            "_tag": "ka1-animal-en",
            "title": "Animal caretaker",
            "description": "Feeding, walking and caring for the dogs and cats at our day care and "
            "boarding centre. 12-18 hours a week, day shifts.",
            "occupation": "5164",
            "industry": "pet care",
            "hours_per_week": {"min": 12, "max": 18},
            "schedule": ["day"],
            "requires": _req(languages=["en"]),
        }
    ],
    "Dyreinternatet Amagerbro": [
        {
            "_tag": "ka1-decoy-hours",
            "title": "Dyrepasser, fuld tid",
            "description": "Pasning af hunde, katte og kaniner på internatet: fodring, rengøring "
            "og kontakt med nye ejere. Fuld tid, 37 timer om ugen, dagvagter.",
            "occupation": "5164",
            "hours_per_week": {"min": 37, "max": 37},
            "schedule": ["day"],
        }
    ],
    "Roskilde Rideskole og Pensionsstald": [
        {
            "_tag": "ka1-decoy-commute",
            "title": "Staldhjælp til heste",
            "description": "Fodring og pasning af heste samt udmugning af bokse. 10-15 timer om "
            "ugen, dagvagter.",
            "occupation": "9212",
            "hours_per_week": {"min": 10, "max": 15},
            "schedule": ["day"],
        }
    ],
    "NV Lager & Logistik A/S": [
        {
            "_tag": "ka1-warehouse",
            "title": "Lagermedarbejder med truckcertifikat",
            "description": "Vareindlevering, pluk og pak og lidt truckkørsel på vores lager i "
            "Nordvest. 15-20 timer om ugen, dagvagter.",
            "occupation": "4321",
            "hours_per_week": {"min": 15, "max": 20},
            "schedule": ["day"],
            "requires": _req(skills=["truckcertifikat"], languages=["da"]),
        }
    ],
    # c-0002: English-speaking, IT helpdesk, Aarhus C, 20-30 h, day, 20 km
    "Fjordbyte Solutions ApS": [
        {
            "_tag": "ka2-en",
            "title": "IT helpdesk assistant",
            "description": "First-line support for our 80 colleagues by phone, chat and in "
            "person: new laptops, accounts and printers. English is our office "
            "language. 20-30 hours a week, day shifts.",
            "occupation": "3512",
            "hours_per_week": {"min": 20, "max": 30},
            "schedule": ["day"],
            "requires": _req(skills=["Windows"], languages=["en"]),
        }
    ],
    "Revisionshuset Kattegat": [
        {
            "_tag": "ka2-da-gap",
            "title": "IT-supporter",
            "description": "Førstelinjesupport til vores medarbejdere på telefon og mail samt "
            "opsætning af pc'er og telefoner. 25-30 timer om ugen, dagvagter.",
            "occupation": "3512",
            "industry": "revision og rådgivning",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
            "requires": _req(skills=["Office 365"], languages=["da"]),
        }
    ],
    "Skole-IT Brabrand": [
        {
            "_tag": "ka2-da",
            "title": "IT-medhjælper på skole",
            "description": "Klargøring af elevernes computere, udskiftning af hardware og hjælp "
            "til lærerne i skolens IT-værksted. 20-25 timer om ugen, dagvagter.",
            "occupation": "3512",
            "hours_per_week": {"min": 20, "max": 25},
            "schedule": ["day"],
        }
    ],
    "NordicReach Contact Center ApS": [
        {
            "_tag": "ka2-decoy-avoid",
            "title": "Inbound sales representative",
            "description": "Phone sales of broadband and mobile subscriptions to customers who "
            "call in. Monthly sales targets and bonus. 20-30 hours a week, day "
            "shifts.",
            "occupation": "5244",
            "hours_per_week": {"min": 20, "max": 30},
            "schedule": ["day"],
            "requires": _req(languages=["en"]),
        }
    ],
    # c-0003: kitchen in Odense, avoids noise and customer contact, 15-25 h, day, 10 km
    "Fynsk Emballage A/S, kantinen": [
        {
            "_tag": "ka3-fit",
            "title": "Køkkenmedhjælper i kantine",
            "description": "Du hjælper med at forberede frokost til 120 medarbejdere: grøntsager, "
            "salater og opvask. Roligt produktionskøkken uden gæster. 20-25 timer "
            "om ugen, dagvagter.",
            "occupation": "9412",
            "hours_per_week": {"min": 20, "max": 25},
            "schedule": ["day"],
            "requires": _req(skills=["hygiejnecertifikat"], languages=["da"]),
        }
    ],
    "Plejecentret Lindehaven": [
        {
            "_tag": "ka3-fit",
            "title": "Opvasker i plejecentrets køkken",
            "description": "Opvask og oprydning i køkkenet, der laver mad til beboerne. Stille "
            "arbejdsplads med faste kolleger. 15-20 timer om ugen, dagvagter.",
            "occupation": "9412",
            "hours_per_week": {"min": 15, "max": 20},
            "schedule": ["day"],
        }
    ],
    "Café Vestergade 7": [
        {
            "_tag": "ka3-decoy-avoid",
            "title": "Køkkenhjælp i café",
            "description": "Smørrebrød, kaffe og opvask i en travl café midt i byen. Støjende "
            "miljø og meget kundekontakt ved disken. 15-20 timer om ugen, "
            "dagvagter.",
            "occupation": "9412",
            "hours_per_week": {"min": 15, "max": 20},
            "schedule": ["day"],
        }
    ],
    "Restaurant Åkanten": [
        {
            "_tag": "ka3-decoy-schedule",
            "title": "Køkkenmedhjælper, aften",
            "description": "Forberedelse, anretning og opvask i restaurantens køkken. 15-20 "
            "timer om ugen, aften- og weekendvagter.",
            "occupation": "9412",
            "hours_per_week": {"min": 15, "max": 20},
            "schedule": ["evening", "weekend"],
        }
    ],
    # c-0004: education only, plants, Aalborg, 20 km
    "Limfjordens Erhvervsskole": [
        {
            "_tag": "ka4-edu",
            "kind": "education",
            "title": "EUD grundforløb 2 – gartner",
            "description": "Grundforløbet til gartneruddannelsen: planter, jord, maskiner og "
            "praktiske opgaver i skolens væksthuse. Holdstart i januar og "
            "august. Undervisning 25-30 timer om ugen, dagtimer.",
            "occupation": "6113",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
        },
        {
            "_tag": "ka4-edu",
            "kind": "education",
            "title": "AMU-kursus: Pleje af grønne områder",
            "description": "Kort AMU-kursus i græspleje, beskæring og pleje af bede i parker. "
            "To uger på fuld tid, dagtimer. Kan tages med dagpenge eller "
            "kontanthjælp efter aftale med jobcentret.",
            "occupation": "9214",
            "hours_per_week": {"min": 37, "max": 37},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "EUD grundforløb 2 – lager og logistik",
            "description": "Grundforløb til lager- og terminaluddannelsen med truckcertifikat, "
            "lagerstyring og arbejdsmiljø. Undervisning 25-30 timer om ugen, "
            "dagtimer.",
            "occupation": "4321",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
        },
    ],
    "Aalborg Grønne Anlæg ApS": [
        {
            "_tag": "ka4-decoy-kind",
            "title": "Gartnermedhjælper",
            "description": "Plantning, lugning og pasning af planter i bede og krukker hos vores "
            "kunder. 20-30 timer om ugen, dagvagter.",
            "occupation": "9214",
            "hours_per_week": {"min": 20, "max": 30},
            "schedule": ["day"],
        }
    ],
    # c-0005: cattle farm work near Aulum, 25-37 h, day+weekend, 35 km, has licence
    "Kvægbruget Hedegården": [
        {
            "_tag": "ka5-live",
            "title": "Staldmedhjælper til kvægbesætning",
            "description": "Fodring, udmugning og pasning af 300 køer og kvier. Traktorkørsel "
            "forekommer, så kørekort er et krav. 30-37 timer om ugen, dag- og "
            "weekendvagter.",
            "occupation": "9212",
            "hours_per_week": {"min": 30, "max": 37},
            "schedule": ["day", "weekend"],
            "requires": _req(licence=True, languages=["da"]),
        }
    ],
    "Mælkegården Aulum": [
        {
            "_tag": "ka5-expired",
            "title": "Malkemedhjælper",
            "description": "Malkning, fodring og pasning af kalve i en mellemstor kvægbesætning. "
            "25-37 timer om ugen, dag- og weekendvagter.",
            "occupation": "9212",
            "hours_per_week": {"min": 25, "max": 37},
            "schedule": ["day", "weekend"],
            "requires": _req(licence=True),
            "posted": "2026-09-07",
            "expires": "2026-10-31",
        }
    ],
    # the other education places
    "Kattegat Erhvervsskole": [
        {
            "kind": "education",
            "title": "EUD grundforløb – IT-supporter",
            "description": "Grundforløb mod uddannelsen som IT-supporter: hardware, netværk og "
            "brugersupport. Undervisning 25-30 timer om ugen, dagtimer.",
            "occupation": "3512",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "EUD grundforløb – ernæringsassistent",
            "description": "Madlavning, hygiejne og ernæring i skolens storkøkken. Undervisning "
            "25-30 timer om ugen, dagtimer.",
            "occupation": "5120",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "AMU-kursus: Truckcertifikat B",
            "description": "Kursus og prøve til truckcertifikat (gaffeltruck B). Otte dage på "
            "fuld tid, dagtimer.",
            "occupation": "8344",
            "hours_per_week": {"min": 37, "max": 37},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "EUD grundforløb – detail",
            "description": "Grundforløb mod detailhandelsuddannelsen: salg, service, varer og "
            "butiksdrift. Undervisning 25-30 timer om ugen, dagtimer.",
            "occupation": "5223",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
        },
    ],
    "AMU Storebælt Kursuscenter": [
        {
            "kind": "education",
            "title": "AMU-kursus: Hygiejnekursus for køkkenpersonale",
            "description": "Kursus i fødevarehygiejne med bevis (hygiejnecertifikat). To dage "
            "på fuld tid, dagtimer.",
            "occupation": "9412",
            "hours_per_week": {"min": 37, "max": 37},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "AMU-kursus: Rengøringsteknik, grundlæggende",
            "description": "Metoder, maskiner og rengøringsmidler til professionel rengøring. "
            "En uge på fuld tid, dagtimer.",
            "occupation": "9112",
            "hours_per_week": {"min": 37, "max": 37},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "AMU-kursus: Dansk på arbejdspladsen",
            "description": "Erhvervsrettet dansk som andetsprog for voksne: samtaler med "
            "kolleger, sikkerhedsregler og skriftlige beskeder. 15 timer om ugen "
            "i seks uger, dagtimer.",
            "hours_per_week": {"min": 15, "max": 15},
            "schedule": ["day"],
        },
    ],
    "Gudenå VUC": [
        {
            "kind": "education",
            "title": "HF-enkeltfag: Dansk C",
            "description": "Dansk på C-niveau på et aftenhold med små klasser. 6 timer om ugen, "
            "aftenundervisning.",
            "hours_per_week": {"min": 6, "max": 6},
            "schedule": ["evening"],
        },
        {
            "kind": "education",
            "title": "HF-enkeltfag: Matematik C",
            "description": "Matematik på C-niveau, hold med rolig studiestart og lektiecafé. 5 "
            "timer om ugen, dagtimer.",
            "hours_per_week": {"min": 5, "max": 5},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "HF-enkeltfag: Biologi C",
            "description": "Biologi på C-niveau med feltarbejde og laboratorieøvelser. 5 timer "
            "om ugen, aftenundervisning.",
            "hours_per_week": {"min": 5, "max": 5},
            "schedule": ["evening"],
        },
        {
            "kind": "education",
            "title": "HF-enkeltfag: Psykologi C",
            "description": "Psykologi på C-niveau på et lille hold med rolig start. 4 timer om "
            "ugen, dagtimer.",
            "hours_per_week": {"min": 4, "max": 4},
            "schedule": ["day"],
        },
    ],
    "Produktionsskolen ved Volden": [
        {
            "kind": "education",
            "title": "Produktionsskole: Musik og medier",
            "description": "Værkstedsundervisning i lydteknik, indspilning og afvikling af "
            "koncerter på skolens scene. For unge under 25. 20-30 timer om ugen, "
            "dagtimer.",
            "occupation": "3521",
            "hours_per_week": {"min": 20, "max": 30},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "Produktionsskole: Køkken og kantine",
            "description": "Du laver frokost til skolens elever og ansatte og lærer hygiejne og "
            "storkøkken. For unge under 25. 20-30 timer om ugen, dagtimer.",
            "occupation": "9412",
            "hours_per_week": {"min": 20, "max": 30},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "Produktionsskole: Natur, dyr og grønne områder",
            "description": "Pasning af skolens høns, geder og kaniner og pleje af skolens have. "
            "For unge under 25. 20-30 timer om ugen, dagtimer.",
            "occupation": "5164",
            "hours_per_week": {"min": 20, "max": 30},
            "schedule": ["day"],
        },
    ],
    "Erhvervsskolen Vadehavet": [
        {
            "kind": "education",
            "title": "EUD grundforløb – landbrug",
            "description": "Grundforløb til landbrugsuddannelsen: dyr, planter, maskiner og "
            "sikkerhed på skolens landbrug. Undervisning 25-30 timer om ugen, "
            "dagtimer.",
            "occupation": "6121",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "EUD grundforløb – dyrepasser",
            "description": "Grundforløb mod uddannelsen som dyrepasser med praktik i dyrepark og "
            "dyrepension. Undervisning 25-30 timer om ugen, dagtimer.",
            "occupation": "5164",
            "hours_per_week": {"min": 25, "max": 30},
            "schedule": ["day"],
        },
        {
            "kind": "education",
            "title": "AMU-kursus: Grundlæggende IT for voksne",
            "description": "Computer, mail, NemID/MitID og digital post i små hold. 10 timer om "
            "ugen i fire uger, dagtimer.",
            "hours_per_week": {"min": 10, "max": 10},
            "schedule": ["day"],
        },
    ],
}

# --------------------------------------------------------------------------------------
# Candidates (all invented). c-0001..c-0005 are the known-answer cases, written out in
# full; c-0006.. come from the persona templates, in order, with home town, hours,
# disclosure and commute dealt from fixed mixes and the rest drawn by the seeded generator.
# --------------------------------------------------------------------------------------

HEALTH_DA = (
    "skizofreni, stabil på medicin; kontakt psykiatrisk team ved behov",
    "bipolar lidelse; har kriseplan hos distriktspsykiatrien",
    "svær depression, i behandling; foretrækker korte møder",
    "OCD og angst; samtaleforløb hos psykolog",
    "PTSD; undgår store menneskemængder",
    "første psykose for to år siden; forløb i OPUS afsluttet",
    "ADHD og angst; medicin justeres i øjeblikket",
    "spiseforstyrrelse, i ambulant behandling",
    "emotionelt ustabil personlighedsstruktur; DAT-forløb",
    "tilbagevendende depression; ser egen læge hver måned",
    "skizoaffektiv lidelse; fast kontaktperson i distriktspsykiatrien",
)
HEALTH_EN = (
    "bipolar disorder, stable; sees a psychiatrist monthly",
    "depression, on medication; prefers short meetings",
    "social anxiety; works best in small teams",
    "psychosis two years ago, now stable; contact the community team if needed",
)


def _x(title: str, years: int, description: str) -> Rec:
    return {"title": title, "years": years, "description": description}


def persona(
    desired: list[str],
    avoid: list[str] | None,
    experience: list[Rec],
    skills: list[str],
    education: list[str],
    languages: list[str],
    sectors: list[str],
    **kw: Any,
) -> Rec:
    return {
        "desired": desired,
        "avoid": avoid,
        "experience": experience,
        "skills": skills,
        "education": education,
        "languages": languages,
        "sectors": sectors,
        **kw,
    }


PERSONAS: list[Rec] = [
    persona(
        ["arbejde udendørs", "grønne områder", "gartner"],
        ["kundekontakt"],
        [_x("kassemedarbejder", 3, "kasse og varepåfyldning i supermarked")],
        ["kasseekspedition", "varepåfyldning"],
        ["folkeskole"],
        ["da"],
        ["gardening"],
        occupations=["9214"],
    ),
    persona(
        ["lager", "pluk og pak", "chauffør"],
        ["kundekontakt"],
        [_x("pizzabud", 2, "udbringning på knallert om aftenen")],
        ["kørekort B"],
        ["folkeskole", "EUD grundforløb (ikke afsluttet)"],
        ["da", "tr"],
        ["warehouse", "transport"],
        licence=True,
    ),
    persona(
        ["køkken", "bagning", "bageri"],
        ["nattevagter"],
        [
            _x("opvasker", 1, "opvask i restaurant"),
            _x("rengøringsassistent", 2, "kontorrengøring om morgenen"),
        ],
        ["hygiejnecertifikat"],
        ["grundskole i Syrien"],
        ["ar", "da"],
        ["kitchen", "bakery"],
    ),
    persona(
        ["kontorarbejde", "arkiv", "dataregistrering"],
        ["kundekontakt", "telefonarbejde"],
        [_x("lagermedarbejder", 5, "vareindlevering og optælling")],
        ["Excel", "Word", "lagerstyring"],
        ["HF"],
        ["da", "en"],
        ["office", "library"],
        occupations=["4110", "4132"],
    ),
    persona(
        ["IT-support", "arbejde med computere", "reparation af pc'er"],
        ["støjende miljø"],
        [_x("butiksassistent", 2, "salg af elektronik")],
        ["Windows", "opsætning af pc'er", "Office 365"],
        ["HF", "datamatiker (1 år, ikke afsluttet)"],
        ["da", "en"],
        ["it"],
        occupations=["3512"],
        kinds=["job", "education"],
    ),
    persona(
        ["butik", "tøjbutik", "varepåfyldning"],
        None,
        [_x("køkkenhjælp", 2, "kantine på et kontor")],
        ["hygiejnecertifikat", "kasseekspedition"],
        ["folkeskole", "EUD som detailhandelsassistent"],
        ["da"],
        ["retail"],
    ),
    persona(
        ["rengøring", "vinduespudsning", "arbejde alene"],
        ["kundekontakt"],
        [_x("rengøringsassistent", 6, "hospitalsrengøring")],
        ["rengøringsteknik", "maskinrengøring"],
        ["szkoła zawodowa (Polen)"],
        ["pl", "da", "en"],
        ["cleaning"],
    ),
    persona(
        ["cykelbud", "budkørsel", "arbejde i bevægelse"],
        ["kontorarbejde"],
        [_x("lagermedhjælper", 1, "sortering af pakker")],
        ["godt lokalkendskab"],
        ["folkeskole"],
        ["so", "da", "en"],
        ["transport"],
        places=["København", "Aarhus"],
        licence=False,
    ),
    persona(
        ["bibliotek", "arbejde med bøger", "arkiv"],
        ["støjende miljø"],
        [_x("kassemedarbejder", 4, "kiosk på banegården")],
        ["kundeservice", "IT-kendskab"],
        ["HF", "1 år dansk på universitetet"],
        ["da", "en"],
        ["library", "office"],
        occupations=["4411"],
    ),
    persona(
        ["musik og lyd", "lydtekniker", "spillested"],
        ["tidlige morgener"],
        [
            _x("opvasker", 3, "restaurantkøkken"),
            _x("frivillig på spillested", 2, "bar, garderobe og oprydning"),
        ],
        ["mixerpult", "Ableton"],
        ["folkeskole", "produktionsskole (musik)"],
        ["da", "en"],
        ["culture"],
        occupations=["3521"],
        kinds=["job", "education"],
        schedule=["evening", "weekend"],
    ),
    persona(
        ["pasning af planter", "gartneri", "væksthus"],
        ["tunge løft"],
        [_x("social- og sundhedshjælper", 8, "hjemmepleje")],
        ["førstehjælp", "social- og sundhedshjælper"],
        ["EUD som social- og sundhedshjælper"],
        ["da"],
        ["gardening"],
        kinds=["job", "education"],
    ),
    persona(
        ["arbejde med ældre", "aktiviteter på plejehjem", "køkken"],
        ["nattevagter"],
        [_x("tjener", 3, "restaurant i Kyiv")],
        ["servering", "hygiejnecertifikat"],
        ["fagskole (Ukraine)"],
        ["uk", "da", "en"],
        ["care", "kitchen"],
    ),
    persona(
        ["pedel", "vicevært", "praktisk arbejde"],
        None,
        [_x("tømrerlærling", 2, "afbrudt læretid")],
        ["håndværktøj", "kørekort B"],
        ["folkeskole", "EUD grundforløb tømrer"],
        ["da"],
        ["caretaker", "construction"],
        licence=True,
    ),
    persona(
        ["noget med heste", "stald", "landbrug"],
        ["kundekontakt"],
        [_x("kassemedarbejder", 2, "tankstation")],
        ["kasseekspedition"],
        ["folkeskole"],
        ["da"],
        ["animals", "agriculture"],
        rural=True,
    ),
    persona(
        ["working with computers", "warehouse", "data entry"],
        ["customer service"],
        [_x("warehouse operative", 2, "picking and packing in the UK")],
        ["Excel", "forklift licence"],
        ["A-levels (UK)"],
        ["en"],
        ["it", "warehouse", "office"],
        english=True,
        places=["København", "Aarhus"],
    ),
    persona(
        ["kitchen", "bakery", "cooking"],
        ["night shifts"],
        [_x("cook", 5, "hotel kitchen in Kharkiv")],
        ["hygiene certificate", "baking"],
        ["vocational cook training (Ukraine)"],
        ["uk", "en"],
        ["kitchen", "bakery"],
        english=True,
        places=["København", "Aarhus"],
    ),
    persona(
        ["animal care", "dog walking", "working outdoors"],
        ["noisy environment"],
        [_x("barista", 3, "coffee shop")],
        ["customer service"],
        ["high school (USA)"],
        ["en"],
        ["animals"],
        english=True,
        places=["København"],
    ),
    persona(
        ["kontorarbejde", "reception", "administration"],
        ["støjende miljø"],
        [_x("kontorassistent", 10, "bogføring, post og telefon")],
        ["Excel", "e-conomic", "telefonomstilling"],
        ["HHX", "kontoruddannelse"],
        ["da", "en"],
        ["office"],
    ),
    persona(
        ["lager", "truckfører", "produktion"],
        None,
        [_x("lagermedarbejder", 7, "truckkørsel og vareindlevering")],
        ["truckcertifikat", "lagerstyring"],
        ["folkeskole"],
        ["da"],
        ["warehouse", "production"],
        occupations=["8344"],
    ),
    persona(
        ["rengøring", "hotel", "vaskeri"],
        None,
        [_x("stuepige", 3, "hotel i Gdańsk")],
        ["rengøring"],
        ["gimnazjum (Polen)"],
        ["pl", "en", "da"],
        ["hotel", "cleaning"],
    ),
    persona(
        ["butik", "bageri", "kiosk"],
        ["tunge løft"],
        [_x("rengøringsassistent", 2, "rengøring på skole")],
        ["kasseekspedition"],
        ["grundskole i Irak"],
        ["ar", "da"],
        ["retail", "bakery"],
    ),
    persona(
        ["arbejde udendørs", "parkarbejde", "kirkegård"],
        ["støjende miljø"],
        [_x("lagerarbejder", 3, "pluk og pak i kølelager")],
        ["truckcertifikat"],
        ["folkeskole"],
        ["da"],
        ["gardening"],
    ),
    persona(
        ["IT", "programmering", "test af software"],
        ["kundekontakt", "telefonsupport"],
        [_x("kok", 4, "restaurant")],
        ["Python (selvlært)", "hygiejnecertifikat"],
        ["HF"],
        ["da", "en"],
        ["it"],
        kinds=["job", "education"],
        occupations=["2519"],
    ),
    persona(
        ["chauffør", "budkørsel", "varebil"],
        ["nattevagter"],
        [_x("flyttemand", 5, "flytninger og tunge løft")],
        ["kørekort B", "kørekort C"],
        ["folkeskole"],
        ["da"],
        ["transport"],
        licence=True,
        occupations=["8322"],
    ),
    persona(
        ["genbrug", "genbrugsplads", "sortering"],
        None,
        [_x("rengøringsassistent", 1, "trappevask")],
        [],
        ["folkeskole"],
        ["da", "so"],
        ["recycling"],
    ),
    persona(
        ["bibliotek", "museum", "kulturhus"],
        ["kassearbejde"],
        [_x("kassemedarbejder", 6, "supermarked")],
        ["kasseekspedition"],
        ["bachelor i historie"],
        ["da", "en", "de"],
        ["library", "culture"],
    ),
    persona(
        ["dyrepasser", "dyrehandel", "noget med dyr"],
        ["støjende miljø"],
        [_x("rengøringsassistent", 4, "kontorrengøring")],
        ["rengøring"],
        ["folkeskole"],
        ["da"],
        ["animals"],
    ),
    persona(
        ["køkken", "kantine", "madlavning til mange"],
        ["weekendarbejde"],
        [_x("lagermedarbejder", 2, "pluk og pak")],
        ["hygiejnecertifikat"],
        ["folkeskole", "EUD grundforløb (ernæringsassistent)"],
        ["da"],
        ["kitchen"],
        occupations=["9412", "5120"],
    ),
    persona(
        ["byggeri", "håndværk", "nedrivning"],
        None,
        [_x("køkkenhjælp", 2, "kantine")],
        ["kørekort B"],
        ["folkeskole"],
        ["da", "tr"],
        ["construction"],
        licence=True,
        kinds=["education"],
    ),
    persona(
        ["kontorarbejde", "IT-support", "scanning af dokumenter"],
        ["kundekontakt"],
        [_x("butiksassistent", 3, "tøjbutik")],
        ["Excel", "Word"],
        ["HF"],
        ["so", "da", "en"],
        ["office", "it"],
    ),
    persona(
        ["pasning af planter", "blomsterbutik", "gartneri"],
        ["kassearbejde"],
        [_x("kassemedarbejder", 5, "supermarked")],
        ["kasseekspedition"],
        ["folkeskole", "HF-enkeltfag biologi"],
        ["da"],
        ["gardening"],
    ),
    persona(
        ["cleaning", "hotel housekeeping", "laundry"],
        ["heavy lifting"],
        [_x("cleaner", 4, "office cleaning")],
        ["cleaning machines"],
        ["secondary school (Poland)"],
        ["pl", "en"],
        ["cleaning", "hotel"],
        english=True,
        places=["København", "Aarhus"],
    ),
    persona(
        ["musik og lyd", "teater", "scenearbejde"],
        None,
        [_x("pædagogmedhjælper", 2, "fritidshjem")],
        ["lydanlæg", "kørekort B"],
        ["HF"],
        ["da", "en"],
        ["culture"],
        schedule=["evening", "weekend"],
    ),
    persona(
        ["landbrug", "maskiner", "traktorkørsel"],
        None,
        [_x("mekanikerlærling", 2, "autoværksted, afbrudt")],
        ["traktorkørsel"],
        ["folkeskole"],
        ["da"],
        ["agriculture"],
        licence=True,
        rural=True,
    ),
    persona(
        ["hotel", "reception", "morgenmad"],
        ["nattevagter"],
        [_x("butiksassistent", 2, "kiosk")],
        ["kundeservice"],
        ["HHX"],
        ["da", "en", "tr"],
        ["hotel"],
    ),
]

KNOWN_CANDIDATES: list[Rec] = [
    {
        "id": "c-0001",
        "preferences": {
            "desired": ["noget med dyr", "dyrepasser", "hundepension"],
            "avoid": ["nattevagter"],
            "hours_per_week": {"min": 10, "max": 20},
            "schedule": ["day"],
            "max_commute_km": 15,
        },
        "competencies": {
            "skills": ["truckcertifikat", "pluk og pak", "lagerstyring"],
            "experience": [
                _x("lagermedarbejder", 4, "pluk og pak og truckkørsel på et stort lager")
            ],
            "education": ["folkeskole"],
            "languages": ["da", "en"],
            "driving_licence": False,
        },
        "location": {"postcode": "2400"},
        "disclosure": "yes",
        "health": {"note": "skizofreni, stabil på medicin; kontakt psykiatrisk team ved behov"},
    },
    {
        "id": "c-0002",
        "preferences": {
            "desired": ["IT helpdesk", "working with computers", "IT support"],
            "avoid": ["sales", "night shifts"],
            "occupations": ["3512"],
            "hours_per_week": {"min": 20, "max": 30},
            "schedule": ["day"],
            "max_commute_km": 20,
        },
        "competencies": {
            "skills": ["Windows", "hardware repair", "Office 365"],
            "experience": [
                _x(
                    "computer repair technician",
                    3,
                    "repaired laptops and phones and installed software in a small shop",
                )
            ],
            "education": ["bachelor in computer science (abroad)"],
            "languages": ["en", "ar"],
            "driving_licence": False,
        },
        "location": {"postcode": "8000"},
        "disclosure": "no",
        "health": {"note": "PTSD and depression; sees a psychologist every other week"},
    },
    {
        "id": "c-0003",
        "preferences": {
            "desired": ["køkken", "kantine", "opvask"],
            "avoid": ["støjende miljø", "kundekontakt"],
            "hours_per_week": {"min": 15, "max": 25},
            "schedule": ["day"],
            "max_commute_km": 10,
            "kinds": ["job"],
        },
        "competencies": {
            "skills": ["hygiejnecertifikat", "rengøring"],
            "experience": [_x("rengøringsassistent", 2, "rengøring på en skole")],
            "education": ["folkeskole"],
            "languages": ["ar", "da"],
            "driving_licence": False,
        },
        "location": {"postcode": "5000"},
        "disclosure": "no",
        "health": {"note": "angst og depression; samtaler i distriktspsykiatrien"},
    },
    {
        "id": "c-0004",
        "preferences": {
            "desired": ["uddannelse som gartner", "noget med planter", "pasning af planter"],
            "max_commute_km": 20,
            "kinds": ["education"],
        },
        "competencies": {
            "skills": ["kasseekspedition"],
            "experience": [_x("kassemedarbejder", 3, "kasse og varepåfyldning i supermarked")],
            "education": ["folkeskole", "HF (to fag mangler)"],
            "languages": ["da", "en"],
            "driving_licence": False,
        },
        "location": {"postcode": "9000"},
        "disclosure": "yes",
        "health": {"note": "bipolar lidelse; stabil det seneste år"},
    },
    {
        "id": "c-0005",
        "preferences": {
            "desired": ["landbrug", "stald", "arbejde med køer"],
            "avoid": ["kundekontakt"],
            "hours_per_week": {"min": 25, "max": 37},
            "schedule": ["day", "weekend"],
            "max_commute_km": 35,
            "kinds": ["job"],
        },
        "competencies": {
            "skills": ["traktorkørsel", "fodring af kvæg"],
            "experience": [
                _x("slagteriarbejder", 4, "udskæring på slagteri i Polen"),
                _x("lagermedarbejder", 2, "pluk og pak"),
            ],
            "education": ["erhvervsuddannelse (Polen)"],
            "languages": ["pl", "da", "en"],
            "driving_licence": True,
        },
        "location": {"postcode": "7490"},
        "disclosure": "yes",
        "health": {"note": "svær depression, i behandling; foretrækker korte møder"},
    },
]

# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def fail(message: str) -> NoReturn:
    sys.stderr.write(f"make_demo: {message}\n")
    raise SystemExit(1)


def load_postcodes() -> dict[str, tuple[str, float, float]]:
    if not POSTCODES_CSV.is_file():
        fail(
            f"postcode table not found: {POSTCODES_CSV}\n"
            "  it ships with the package (matcher/data); restore it from the repository."
        )
    table: dict[str, tuple[str, float, float]] = {}
    with POSTCODES_CSV.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            table[row["postnr"]] = (row["navn"], float(row["lat"]), float(row["lon"]))
    missing = [pc for pc in CITY_OF if pc not in table]
    if missing:
        fail(f"postcodes missing from {POSTCODES_CSV}: {', '.join(missing)}")
    return table


def used_disco_codes() -> list[str]:
    codes: list[str] = []
    for jobs in (*JOBS_DA.values(), *JOBS_EN.values()):
        codes.extend(j[1] for j in jobs if j[1])
    for pins in PINNED.values():
        codes.extend(p["occupation"] for p in pins if "occupation" in p)
    for p in PERSONAS:
        codes.extend(p.get("occupations", []))
    for c in KNOWN_CANDIDATES:
        codes.extend(c["preferences"].get("occupations", []))
    return sorted(set(codes))


def check_disco() -> None:
    """Every DISCO-08 code used must be a level-4 code of the packaged DISCO-08 table."""
    if not DISCO_CSV.is_file():
        fail(
            f"DISCO-08 table not found: {DISCO_CSV}\n"
            "  it ships with the package (matcher/data); restore it from the repository."
        )
    with DISCO_CSV.open(encoding="utf-8-sig", newline="") as fh:
        level4 = {r["KODE"] for r in csv.DictReader(fh, delimiter=";") if r["NIVEAU"] == "4"}
    bad = [c for c in used_disco_codes() if c not in level4]
    if bad:
        fail(f"not level-4 DISCO-08 codes: {', '.join(bad)}")


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def jitter(rng: random.Random, lat: float, lon: float, max_km: float = 2.0) -> tuple[float, float]:
    r = max_km * math.sqrt(rng.random())
    theta = rng.uniform(0.0, 2 * math.pi)
    dlat = r * math.cos(theta) / 111.32
    dlon = r * math.sin(theta) / (111.32 * math.cos(math.radians(lat)))
    return round(lat + dlat, 4), round(lon + dlon, 4)


SCHED_DA = {"day": "dag", "evening": "aften", "night": "natte", "weekend": "weekend"}
SCHED_EN = {"day": "day", "evening": "evening", "night": "night", "weekend": "weekend"}


def hours_sentence(lang: str, hours: Rec | None, schedule: list[str] | None) -> str:
    parts: list[str] = []
    if hours:
        lo, hi = hours["min"], hours["max"]
        if lang == "da":
            parts.append(
                "Fuld tid, 37 timer om ugen"
                if lo == hi == 37
                else f"{lo} timer om ugen"
                if lo == hi
                else f"{lo}-{hi} timer om ugen"
            )
        else:
            parts.append(
                "Full time, 37 hours a week"
                if lo == hi == 37
                else f"{lo} hours a week"
                if lo == hi
                else f"{lo}-{hi} hours a week"
            )
    if schedule:
        if lang == "da":
            stems = [SCHED_DA[s] for s in schedule]
            words = (
                stems[0] + "vagter"
                if len(stems) == 1
                else ", ".join(s + "-" for s in stems[:-1]) + " og " + stems[-1] + "vagter"
            )
        else:
            stems = [SCHED_EN[s] for s in schedule]
            words = (
                stems[0] if len(stems) == 1 else ", ".join(stems[:-1]) + " and " + stems[-1]
            ) + " shifts"
        parts.append(words)
    if not parts:
        return ""
    text = ", ".join(parts)
    return text[0].upper() + text[1:] + "."


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------


def build_employers(
    rng: random.Random, postcodes: dict[str, tuple[str, float, float]]
) -> list[Rec]:
    names = [e[0] for e in EMPLOYERS]
    if len(set(names)) != len(names):
        fail("duplicate employer names")
    unknown = [n for n in PINNED if n not in names]
    if unknown:
        fail(f"pinned openings for unknown employers: {unknown}")
    employers: list[Rec] = []
    for i, (name, industry, pc, sector, lang, size) in enumerate(EMPLOYERS, start=1):
        if pc not in CITY_OF:
            fail(f"employer {name!r}: postcode {pc} is not in CITIES")
        if size != "edu" and sector not in (JOBS_EN if lang == "en" else JOBS_DA):
            fail(f"employer {name!r}: no {lang} job templates for sector {sector!r}")
        _, lat, lon = postcodes[pc]
        elat, elon = jitter(rng, lat, lon)
        pins = PINNED.get(name, [])
        n = len(pins) if size == "edu" else max(rng.choice(SIZES[size]), len(pins))
        employers.append(
            {
                "id": f"e-{i:03d}",
                "name": name,
                "industry": industry,
                "postcode": pc,
                "city": CITY_OF[pc],
                "sector": sector,
                "root": sector.split("-")[0],
                "lang": lang,
                "lat": elat,
                "lon": elon,
                "n": n,
                "pins": pins,
            }
        )
    return employers


def make_requires(rng: random.Random, job_req: Rec | None, lang: str) -> Rec | None:
    if job_req is not None and rng.random() < 0.6:
        return _req(
            job_req.get("skills"),
            job_req.get("driving_licence", False),
            job_req.get("languages", [lang]),
        )
    if rng.random() < 0.12:
        return _req(languages=[lang])
    return None


def generated_opening(rng: random.Random, emp: Rec, template: Job) -> Rec:
    titles, disco, texts, hours_opts, sched_opts, job_req = template
    lo, hi = rng.choice(hours_opts)
    hours = {"min": lo, "max": hi} if rng.random() < 0.88 else None
    schedule = list(rng.choice(sched_opts)) if rng.random() < 0.85 else None
    sentences = [rng.choice(texts)]
    if rng.random() < 0.35:
        sentences.append(rng.choice(EXTRA_EN if emp["lang"] == "en" else EXTRA_DA))
    hs = hours_sentence(emp["lang"], hours, schedule)
    if hs:
        sentences.append(hs)
    elif emp["lang"] == "da" and rng.random() < 0.5:
        sentences.append("Timetal og arbejdstider efter aftale.")
    rec: Rec = {"title": rng.choice(titles), "description": " ".join(sentences)}
    if disco and rng.random() >= OCCUPATION_ABSENT_RATE:
        rec["occupation"] = disco
    if hours:
        rec["hours_per_week"] = hours
    if schedule:
        rec["schedule"] = schedule
    requires = make_requires(rng, job_req, emp["lang"])
    if requires:
        rec["requires"] = requires
    return rec


def random_day(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, (last - first).days))


def assign_dates(rng: random.Random, openings: list[Rec]) -> None:
    pinned_expired = sum(1 for o in openings if o.get("expires", "9") < str(REFERENCE_DATE))
    free = [
        i for i, o in enumerate(openings) if o["_tag"] is None and o.get("kind", "job") == "job"
    ]
    expired = set(rng.sample(free, N_EXPIRED - pinned_expired))
    for i, o in enumerate(openings):
        if "posted" in o:
            continue
        if i in expired:
            posted = random_day(rng, POSTED_FIRST, date(2026, 10, 20))
            expires = min(
                posted + timedelta(days=rng.randint(21, 45)), REFERENCE_DATE - timedelta(days=1)
            )
        else:
            posted = random_day(rng, POSTED_FIRST, POSTED_LAST)
            r = rng.random()
            if o["_tag"] is not None or o.get("kind") == "education" or r >= 0.15:
                expires = random_day(rng, date(2027, 1, 8), date(2027, 6, 30))
            elif r < 0.05:
                o["posted"] = str(posted)
                continue  # no expiry date given
            else:
                expires = random_day(
                    rng, max(posted + timedelta(days=14), date(2026, 11, 30)), date(2026, 12, 31)
                )
        o["posted"], o["expires"] = str(posted), str(expires)


OPENING_KEYS = (
    "id",
    "employer_id",
    "employer_name",
    "title",
    "description",
    "occupation",
    "industry",
    "kind",
    "hours_per_week",
    "schedule",
    "location",
    "requires",
    "posted",
    "expires",
)


def build_openings(rng: random.Random, employers: list[Rec]) -> list[Rec]:
    openings: list[Rec] = []
    for emp in employers:
        specs: list[Rec] = [dict(p) for p in emp["pins"]]
        table = JOBS_EN if emp["lang"] == "en" else JOBS_DA
        pool: list[Job] = []
        seen: set[str] = set()
        while len(specs) < emp["n"]:
            # go through the employer's templates in a shuffled cycle, so that one employer
            # posts a mix of jobs, and never post the very same opening twice
            if not pool:
                pool = list(table[emp["sector"]])
                rng.shuffle(pool)
            spec = generated_opening(rng, emp, pool.pop())
            key = json.dumps([spec.get(k) for k in ("title", "hours_per_week", "schedule")])
            if key not in seen:
                seen.add(key)
                specs.append(spec)
        for spec in specs:
            rec: Rec = {
                "employer_id": emp["id"],
                "employer_name": emp["name"],
                "industry": emp["industry"],
                "kind": "job",
                "location": {"lat": emp["lat"], "lon": emp["lon"]},
                "_tag": None,
                "_sector": emp["root"],
                "_lang": emp["lang"],
            }
            rec.update(spec)
            openings.append(rec)
    assign_dates(rng, openings)
    # ids follow posting order, as they would in a live system
    openings.sort(key=lambda o: o["posted"])
    for i, o in enumerate(openings, start=1):
        o["id"] = f"o-{i:04d}"
    return openings


# Home towns of the persona candidates: one slot per persona, so that candidates are
# spread over the country rather than drawn from the big cities only.
HOME_SLOTS: dict[str, int] = {
    "København": 9, "Aarhus": 6, "Odense": 3, "Aalborg": 3, "Esbjerg": 1, "Vejle": 1,
    "Herning": 1, "Roskilde": 1, "Næstved": 1, "Holbæk": 1, "Svendborg": 1, "Viborg": 1,
    "Randers": 1, "Hjørring": 1, "Slagelse": 1, "Silkeborg": 1, "Rønne": 1, "Skive": 1,
}  # fmt: skip


def assign_home_towns(rng: random.Random, employers: list[Rec]) -> list[str]:
    """Deal the home-town slots to the personas, preferring a town with work they want."""
    slots = [city for city, k in HOME_SLOTS.items() for _ in range(k)]
    if len(slots) != len(PERSONAS):
        fail(f"HOME_SLOTS has {len(slots)} slots for {len(PERSONAS)} personas")
    rng.shuffle(slots)
    sectors_in: dict[str, set[str]] = {}
    for e in employers:
        sectors_in.setdefault(e["city"], set()).add(e["root"])

    def suits(p: Rec, city: str) -> bool:
        if "places" in p:
            return city in p["places"]
        if p.get("rural") and city in BIG_CITIES:
            return False
        return bool(sectors_in.get(city, set()) & set(p["sectors"]))

    # constrained personas first: fixed places, then rural ones, then the rest
    order = sorted(range(len(PERSONAS)),
                   key=lambda i: 0 if "places" in PERSONAS[i] else 1 if PERSONAS[i].get("rural")
                   else 2)  # fmt: skip
    homes = [""] * len(PERSONAS)
    for i in order:
        j = next((j for j, city in enumerate(slots) if suits(PERSONAS[i], city)), 0)
        homes[i] = slots.pop(j)
    return homes


# Weekly hours of the persona candidates: many want 10-20 hours (benefit rules), some
# 20-30, some full time, some say nothing. Counts per band, summing to len(PERSONAS).
HOURS_MIX: dict[str, int] = {"10-20": 17, "20-30": 7, "full": 5, "none": 6}
HOURS_BANDS: dict[str, tuple[Rec, ...]] = {
    "10-20": ({"min": 10, "max": 15}, {"min": 10, "max": 20}, {"min": 15, "max": 20},
              {"max": 15}, {"min": 12, "max": 18}),
    "20-30": ({"min": 20, "max": 25}, {"min": 20, "max": 30}, {"min": 25, "max": 30}),
    "full": ({"min": 37, "max": 37}, {"min": 30, "max": 37}),
    "none": (),
}  # fmt: skip


def persona_candidate(rng: random.Random, cid: str, p: Rec, plan: Rec) -> Rec:
    desired = list(p["desired"])
    if len(desired) > 2 and rng.random() < 0.25:
        desired.pop()
    prefs: Rec = {"desired": desired}
    if p["avoid"] and plan["avoid"]:
        prefs["avoid"] = list(p["avoid"])
    if p.get("occupations") and rng.random() < 0.6:
        prefs["occupations"] = list(p["occupations"])
    if HOURS_BANDS[plan["hours"]]:
        prefs["hours_per_week"] = dict(rng.choice(HOURS_BANDS[plan["hours"]]))
    if "schedule" in p:
        prefs["schedule"] = list(p["schedule"])
    elif rng.random() < 0.4:
        prefs["schedule"] = rng.choice(
            (
                ["day"],
                ["day"],
                ["day", "weekend"],
                ["day", "evening"],
                ["evening", "weekend"],
                ["evening"],
            )
        )
    home = rng.choice(CITIES[plan["town"]][1])
    rural = plan["town"] not in BIG_CITIES
    if plan["commute"]:
        prefs["max_commute_km"] = rng.choice(
            (15, 20, 25, 30, 40) if rural else (5, 8, 10, 10, 12, 15, 15, 20, 20, 25, 30)
        )
    if "kinds" in p:
        prefs["kinds"] = list(p["kinds"])
    elif rng.random() < 0.3:
        prefs["kinds"] = ["job"]
    experience = [
        dict(x, years=max(1, x["years"] + rng.choice((-1, 0, 0, 1)))) for x in p["experience"]
    ]
    comp: Rec = {
        "skills": list(p["skills"]),
        "experience": experience,
        "education": list(p["education"]),
        "languages": list(p["languages"]),
    }
    if "licence" in p:
        comp["driving_licence"] = p["licence"]
    elif rng.random() < 0.88:
        comp["driving_licence"] = rng.random() < 0.45
    rec: Rec = {
        "id": cid,
        "preferences": prefs,
        "competencies": comp,
        "location": {"postcode": home},
        "disclosure": plan["disclosure"],
    }
    if rng.random() < 0.85:
        rec["health"] = {"note": rng.choice(HEALTH_EN if p.get("english") else HEALTH_DA)}
    return rec


def build_candidates(
    rng: random.Random, postcodes: dict[str, tuple[str, float, float]], employers: list[Rec]
) -> list[Rec]:
    candidates = [json.loads(json.dumps(c)) for c in KNOWN_CANDIDATES]
    towns = assign_home_towns(rng, employers)
    # about half of all candidates consent to the consultant contacting employers
    n_yes = len(KNOWN_CANDIDATES + PERSONAS) // 2 - sum(
        c["disclosure"] == "yes" for c in KNOWN_CANDIDATES
    )
    consent = ["yes"] * n_yes + ["no"] * (len(PERSONAS) - n_yes)
    # a few state no commute limit, so that the commute check has absent values to skip
    commute = [True] * (len(PERSONAS) - 4) + [False] * 4
    hours = [band for band, k in HOURS_MIX.items() for _ in range(k)]
    if len(hours) != len(PERSONAS):
        fail(f"HOURS_MIX covers {len(hours)} of {len(PERSONAS)} personas")
    for deal in (consent, commute, hours):
        rng.shuffle(deal)
    # about half of all candidates state something to avoid
    n_avoid = len(KNOWN_CANDIDATES + PERSONAS) // 2 - sum(
        "avoid" in c["preferences"] for c in KNOWN_CANDIDATES
    )
    with_avoid = [i for i, p in enumerate(PERSONAS) if p["avoid"]]
    keep_avoid = set(rng.sample(with_avoid, min(n_avoid, len(with_avoid))))
    for i, p in enumerate(PERSONAS):
        cid = f"c-{len(KNOWN_CANDIDATES) + i + 1:04d}"
        plan = {"town": towns[i], "disclosure": consent[i], "commute": commute[i],
                "hours": hours[i], "avoid": i in keep_avoid}  # fmt: skip
        candidates.append(persona_candidate(rng, cid, p, plan))
    for c in candidates:
        pc = c["location"]["postcode"]
        _, lat, lon = postcodes[pc]
        c["location"] = {"postcode": pc, "lat": round(lat, 3), "lon": round(lon, 3)}
    return candidates


# --------------------------------------------------------------------------------------
# Known-answer checks: a simple reading of the contract's violation rules, so that an edit
# to the tables cannot silently break the documented cases.
# --------------------------------------------------------------------------------------


def violations(c: Rec, o: Rec, today: date = REFERENCE_DATE) -> list[str]:
    p, v = c["preferences"], []
    text = f"{o['title']} {o.get('description', '')}".lower()
    if any(a.lower() in text for a in p.get("avoid", [])):
        v.append("avoid")
    ch, oh = p.get("hours_per_week"), o.get("hours_per_week")
    if (
        ch
        and oh
        and max(ch.get("min", 0), oh.get("min", 0)) > min(ch.get("max", 168), oh.get("max", 168))
    ):
        v.append("hours")
    cs, osch = p.get("schedule"), o.get("schedule")
    if cs and osch and not set(osch) <= set(cs):
        v.append("schedule")
    km = p.get("max_commute_km")
    loc = o.get("location")
    if (
        km is not None
        and loc
        and km_between(c["location"]["lat"], c["location"]["lon"], loc["lat"], loc["lon"]) > km
    ):
        v.append("commute")
    if o.get("kind", "job") not in p.get("kinds", ["job"]):
        v.append("kind")
    if "expires" in o and date.fromisoformat(o["expires"]) < today:
        v.append("expired")
    return v


def gaps(c: Rec, o: Rec) -> list[str]:
    req, comp, g = o.get("requires") or {}, c["competencies"], []
    if req.get("driving_licence") and not comp.get("driving_licence"):
        g.append("driving_licence")
    if req.get("languages") and not set(req["languages"]) & set(comp.get("languages", [])):
        g.append("language")
    if set(req.get("skills", [])) - set(comp.get("skills", [])):
        g.append("skill")
    return g


def check_known_answers(candidates: list[Rec], openings: list[Rec]) -> list[str]:
    cand = {c["id"]: c for c in candidates}
    tagged: dict[str, list[Rec]] = {}
    for o in openings:
        if o["_tag"]:
            tagged.setdefault(o["_tag"], []).append(o)
    problems: list[str] = []

    def expect(cid: str, tag: str, want_v: list[str], want_g: list[str] | None = None) -> None:
        for o in tagged.get(tag, []):
            got_v, got_g = violations(cand[cid], o), gaps(cand[cid], o)
            if got_v != want_v or (want_g is not None and got_g != want_g):
                problems.append(
                    f"{cid} / {o['id']} ({tag}): violations {got_v}, gaps {got_g}; "
                    f"expected {want_v}, {want_g}"
                )
        if tag not in tagged:
            problems.append(f"no opening tagged {tag}")

    expect("c-0001", "ka1-animal", [], [])
    expect("c-0001", "ka1-animal-en", [], [])
    expect("c-0001", "ka1-warehouse", [], [])
    expect("c-0001", "ka1-decoy-hours", ["hours"])
    expect("c-0001", "ka1-decoy-commute", ["commute"])
    expect("c-0002", "ka2-en", [], [])
    expect("c-0002", "ka2-da-gap", [], ["language"])
    expect("c-0002", "ka2-da", [], [])
    expect("c-0002", "ka2-decoy-avoid", ["avoid"])
    expect("c-0003", "ka3-fit", [], [])
    expect("c-0003", "ka3-decoy-avoid", ["avoid"])
    expect("c-0003", "ka3-decoy-schedule", ["schedule"])
    expect("c-0004", "ka4-edu", [])
    expect("c-0004", "ka4-decoy-kind", ["kind"])
    expect("c-0005", "ka5-live", [], [])
    expect("c-0005", "ka5-expired", ["expired"], [])
    animals_ok = [
        o
        for o in openings
        if o["_sector"] == "animals"
        and o.get("kind", "job") == "job"
        and not violations(cand["c-0001"], o)
    ]
    if len(animals_ok) < 3 or not any(o["_lang"] == "en" for o in animals_ok):
        problems.append("c-0001: fewer than three fitting animal openings or none in English")
    n_expired = sum(1 for o in openings if "expired" in violations(cand["c-0001"], o))
    if n_expired != N_EXPIRED:
        problems.append(f"{n_expired} expired openings, expected {N_EXPIRED}")
    if problems:
        fail("known-answer checks failed:\n  " + "\n  ".join(problems))
    return [
        f"{o['_tag']}: {o['id']} {o['title']} ({o['employer_id']} {o['employer_name']})"
        for tag in sorted(tagged)
        for o in tagged[tag]
    ]


# --------------------------------------------------------------------------------------


def write_jsonl(path: Path, records: list[Rec]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def main() -> int:
    rng = random.Random(SEED)
    postcodes = load_postcodes()
    check_disco()
    employers = build_employers(rng, postcodes)
    openings = build_openings(rng, employers)
    candidates = build_candidates(rng, postcodes, employers)
    listing = check_known_answers(candidates, openings)
    out_openings = [{k: o[k] for k in OPENING_KEYS if k in o} for o in openings]
    write_jsonl(CANDIDATES_OUT, candidates)
    write_jsonl(OPENINGS_OUT, out_openings)
    n_en = sum(1 for o in openings if o["_lang"] == "en")
    n_edu = sum(1 for o in openings if o.get("kind") == "education")
    print(f"wrote {len(candidates)} candidates to {CANDIDATES_OUT.relative_to(REPO)}")
    print(
        f"wrote {len(openings)} openings from {len(employers)} employers to "
        f"{OPENINGS_OUT.relative_to(REPO)} ({n_en} in English, {n_edu} education places)"
    )
    print("known-answer openings:")
    for line in listing:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
