"""People's names as people write them: the roster says "Robert Côté-Lavoie", the chart
"Bob Cote-Lavoie" or "Côté-Lavoie, R."; they are one person.

A name is compared by its parts with accents and case set aside: the surname must agree,
and the given names agree when equal, when one is the other's initial, or when one is a
common short form of the other.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Common short forms of given names (either way round).
NICKNAMES: dict[str, set[str]] = {
    "robert": {"bob", "rob", "robbie", "bobby"},
    "william": {"bill", "will", "billy", "liam"},
    "elizabeth": {"liz", "beth", "betty", "eliza", "lisa"},
    "michael": {"mike", "mick", "mikey"},
    "james": {"jim", "jimmy", "jamie"},
    "thomas": {"tom", "tommy"},
    "david": {"dave", "davey"},
    "christopher": {"chris"},
    "christine": {"chris", "christy"},
    "daniel": {"dan", "danny"},
    "joseph": {"joe", "joey"},
    "katherine": {"kate", "kathy", "katie", "kat"},
    "catherine": {"cathy", "kate", "cat"},
    "samuel": {"sam", "sammy"},
    "samantha": {"sam", "sammy"},
    "alexander": {"alex", "sandy"},
    "alexandra": {"alex", "sandra", "sandy"},
    "anthony": {"tony"},
    "steven": {"steve"},
    "stephen": {"steve"},
    "matthew": {"matt"},
    "nicholas": {"nick", "nicky"},
    "patrick": {"pat", "paddy"},
    "patricia": {"pat", "patty", "trish"},
    "jennifer": {"jen", "jenny"},
    "susan": {"sue", "suzy"},
    "andrew": {"andy", "drew"},
    "benjamin": {"ben", "benny"},
    "richard": {"rick", "rich", "dick", "ricky"},
    "edward": {"ed", "eddie", "ted"},
    "gregory": {"greg"},
    "jeffrey": {"jeff"},
    "kenneth": {"ken", "kenny"},
    "lawrence": {"larry"},
    "ronald": {"ron", "ronnie"},
    "timothy": {"tim", "timmy"},
    "victoria": {"vicky", "tori"},
    "margaret": {"maggie", "peggy", "meg"},
    "deborah": {"deb", "debbie"},
    "douglas": {"doug"},
    "gerald": {"gerry"},
    "frederick": {"fred", "freddie"},
    "donald": {"don", "donnie"},
    "charles": {"charlie", "chuck"},
    "abigail": {"abby"},
    "rebecca": {"becky", "becca"},
    "zachary": {"zach", "zack"},
    "jonathan": {"jon", "jonny"},
    "joshua": {"josh"},
    "nathan": {"nate"},
    "nathaniel": {"nate", "nat"},
    "raymond": {"ray"},
    "gabriel": {"gabe"},
    "isabelle": {"izzy", "belle"},
    "josée": {"jo"},
    "joanne": {"jo"},
}
_SHORT = {short: {full} for full, shorts in NICKNAMES.items() for short in shorts}
for _full, _shorts in NICKNAMES.items():
    for _s in _shorts:
        _SHORT.setdefault(_s, set()).add(_full)


def fold(text: str) -> str:
    """Lower case without accents: "Côté" -> "cote"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


LONG_SURNAME = 6  # letters: from here one misread letter still names the same person
LONG_GIVEN = 4  # the same for given names ("Luts" read for "Luis")


@dataclass(frozen=True)
class Name:
    given: tuple[str, ...]  # folded given names or initials, in order
    surname: str  # folded; hyphens and spaces kept out ("cote-lavoie" -> "cotelavoie")


def parse_name(text: str) -> Name:
    """ "Élise Gagné", "Gagné, Élise", "E. Gagné", "Gagné, E." -> Name."""
    text = " ".join(text.replace("’", "'").split())
    if "," in text:
        last, first = (t.strip() for t in text.split(",", 1))
    else:
        parts = text.split(" ")
        last, first = parts[-1], " ".join(parts[:-1])
    given = tuple(g for g in re.split(r"[\s.]+", fold(first)) if g)
    return Name(given, re.sub(r"[^a-z0-9]", "", fold(last)))


def _given_agree(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:  # an initial
        return a[0] == b[0]
    if min(len(a), len(b)) >= LONG_GIVEN and _one_apart(a, b):  # a scan's misread letter
        return True
    return (
        b in _SHORT.get(a, set())
        or a in _SHORT.get(b, set())
        or bool(_SHORT.get(a, set()) & _SHORT.get(b, set()))
    )


def _one_apart(a: str, b: str) -> bool:
    """Whether one letter changed, added or dropped turns ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) <= 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def same_surname(a: str, b: str) -> bool:
    """Equal, or (for a long surname) one letter apart: an accent read as another letter
    from a scan ("Cété-Lavoie")."""
    return a == b or (min(len(a), len(b)) >= LONG_SURNAME and _one_apart(a, b))


def same_person(a: str, b: str) -> bool:
    """Whether two written names are one person's (see the module's rules)."""
    x, y = parse_name(a), parse_name(b)
    if not x.surname or not same_surname(x.surname, y.surname):
        return False
    if not x.given or not y.given:
        return True
    return _given_agree(x.given[0], y.given[0])
