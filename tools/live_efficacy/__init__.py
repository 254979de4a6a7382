"""The live efficacy check: real scrapers (Scrapy, wget --mirror, a careful walker) and
real members (Chromium) against a running Rampart server; see scripts/live-efficacy.sh and
docs/efficacy/README.md ("Live efficacy check")."""
