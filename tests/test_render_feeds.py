"""Atom feeds per village and township."""

import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"


def test_village_and_township_feeds(sample_site):
    site, result = sample_site
    feed = ET.parse(site / "v/lucun/feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}title").text == "阳庙镇鹿村村务公开"
    entries = feed.findall(f"{ATOM}entry")
    lucun = sorted((n for n in result.published if n.village.code == "lucun"), key=lambda n: (n.date, n.id), reverse=True)
    assert [e.find(f"{ATOM}title").text for e in entries] == [n.title for n in lucun[:50]]
    first = entries[0]
    assert first.find(f"{ATOM}updated").text == f"{lucun[0].date.isoformat()}T00:00:00+08:00"
    assert first.find(f"{ATOM}link").get("href") == f"https://cunwu.example.org/{lucun[0].folder}"
    assert feed.find(f"{ATOM}updated").text == first.find(f"{ATOM}updated").text  # never the build clock
    township = ET.parse(site / "t/yangmiao/feed.xml").getroot()
    assert len(township.findall(f"{ATOM}entry")) == 50
