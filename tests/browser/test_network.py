"""Two people find each other and connect, in real (headless) browsers.

A and B register (each in a browser of their own). A fills in a headline and a company
with a word nobody else has; B searches for that word, finds A, opens A's profile and
invites A; A accepts on "My network"; both then see each other among their connections,
and A's profile says "You are connected." to B.
"""
import random
import string

from conftest import gone
from selenium.webdriver.common.by import By


def random_letters(length):
    return "".join(random.choice(string.ascii_lowercase) for _ in range(length))


def card_named(page, list_css, name):
    """The `li` of `ul{list_css}` whose link is `name`, waiting until it is there."""
    page.shows(list_css, name)
    for item in page.driver.find_elements(By.CSS_SELECTOR, f"{list_css} > li"):
        links = item.find_elements(By.CSS_SELECTOR, "a")
        if links and links[0].text.strip() == name:
            return item
    raise AssertionError(f"no card named {name!r} in {list_css}: {page.visible(list_css).text!r}")


def names_in(page, list_css):
    return [a.text.strip() for a in page.driver.find_elements(By.CSS_SELECTOR, f"{list_css} li.card a")]


def test_find_invite_accept_and_both_see_the_connection(open_browser, register):
    suffix = random_letters(6)
    word = "Zylophonics" + random_letters(8)
    headline = "Principal Acoustics Engineer"
    company = f"{word} Instruments"

    a = open_browser("a")
    b = open_browser("b")
    alice = register(a, f"Alice Network {suffix}")
    bob = register(b, f"Bob Network {suffix}")

    # 1. A fills in a headline and a company on /me and saves.
    a.open("/me")
    form = a.visible("#profile-form")
    a.fill(form, "headline", headline)
    a.fill(form, "company", company)
    a.submit(form)
    a.shows('.notice[role="status"]', "saved")
    form = a.visible("#profile-form")
    assert form.find_element(By.NAME, "headline").get_attribute("value") == headline
    assert form.find_element(By.NAME, "company").get_attribute("value") == company

    # 2. B searches for the word and finds A, and only A.
    b.open("/search")
    form = b.visible("#search-form")
    b.fill(form, "q", word)
    b.submit(form)
    b.url_contains("q=" + word)
    card = card_named(b, "ul#results", alice.name)
    assert names_in(b, "ul#results") == [alice.name], b.visible("ul#results").text
    assert headline in card.text and company in card.text, card.text

    # 3. B opens A's profile and invites A.
    card.find_element(By.CSS_SELECTOR, "a").click()
    b.url_contains("/members/")
    b.shows("h1", alice.name)
    invite = b.visible("#invite-form")
    b.fill(invite, "message", f"Hello {alice.name}, let us connect. {bob.name}")
    b.submit(invite)
    status = b.visible("#invitation-status")
    assert "Invitation sent" in status.text, status.text
    assert not b.driver.find_elements(By.ID, "invite-form"), "still offers to invite after inviting"

    # B sees the invitation among the ones sent.
    b.open("/connections")
    card_named(b, "ul#sent", alice.name)

    # 4. A accepts on /connections.
    a.open("/connections")
    invitation = card_named(a, "ul#received", bob.name)
    invitation.find_element(By.CSS_SELECTOR, 'button[name="action"][value="accept"]').click()
    a.wait.until(lambda _: gone(invitation))
    a.url_contains("/connections")

    # 5. A's connections list B; the invitation is gone.
    card_named(a, "ul#connections", bob.name)
    assert bob.name not in a.visible("ul#received").text, a.visible("ul#received").text

    # 6. B's connections list A; nothing left pending.
    b.open("/connections")
    card_named(b, "ul#connections", alice.name)
    assert alice.name not in b.visible("ul#sent").text, b.visible("ul#sent").text

    # 7. B opens A's profile (from the list) and is told they are connected.
    card = card_named(b, "ul#connections", alice.name)
    card.find_element(By.CSS_SELECTOR, "a").click()
    b.url_contains("/members/")
    b.shows("h1", alice.name)
    connected = b.visible("#connected-status")
    assert "You are connected." in connected.text, connected.text
    assert not b.driver.find_elements(By.ID, "invite-form"), "offers to invite a connection"
    b.screenshot("network-connected.png")


def test_search_by_chinese_surname(open_browser, register):
    page = open_browser("searcher")
    register(page, f"Chen Search {random_letters(6)}")

    page.open("/search")
    form = page.visible("#search-form")
    page.fill(form, "q", "刘")
    page.submit(form)
    page.visible("ul#results")
    assert page.visible("#search-form #q").get_attribute("value") == "刘"

    names = names_in(page, "ul#results")
    assert names, f"no results for 刘: {page.text()[:500]!r}"
    assert any("刘" in name for name in names), f"no result named 刘…: {names}"
