"""A person's first days with Rampart, in a real (headless) browser.

Register with a phone number, confirm the SMS code, sign out and back in on the
same browser (a known device: no confirmation), then sign in from a "new device"
(all cookies gone), which needs the code from a second SMS.
"""
import random
import secrets
import string

from selenium.webdriver.common.by import By


def random_phone():
    return "+86139" + "".join(random.choice(string.digits) for _ in range(8))


def random_suffix():
    return "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(6))


def random_password():
    return "Rampart-" + secrets.token_urlsafe(12)


def start_registration(page, phone):
    page.open("/register")
    form = page.visible("#register-form")
    assert form.find_element(By.NAME, "phone").is_displayed(), "phone field is not visible"
    page.fill(form, "phone", phone)
    page.submit(form)
    page.url_contains("/register/verify")
    assert "id=" in page.driver.current_url, page.driver.current_url
    return page.visible("#verify-form")


def fill_verify_form(page, form, code, name, password):
    page.fill(form, "code", code)
    page.fill(form, "name", name)
    page.fill(form, "password", password)
    page.tick(form, "accept")


def assert_signed_in(page, name):
    whoami = page.visible("#whoami")
    assert name in whoami.text, f"#whoami says {whoami.text!r}, expected the name {name!r}"
    assert "Signed in as" in whoami.text, whoami.text


def log_out(page):
    form = page.visible('form[action$="/logout"]')
    page.submit(form)
    page.url_contains("/login")
    page.visible("#login-form")
    assert not page.driver.find_elements(By.ID, "whoami"), "still shows #whoami after logging out"


def log_in(page, phone, password):
    page.open("/login")
    form = page.visible("#login-form")
    page.fill(form, "phone", phone)
    page.fill(form, "password", password)
    page.submit(form)


def test_register_log_out_log_in_and_confirm_new_device(page, outbox):
    phone = random_phone()
    name = "Li Wei " + random_suffix()
    password = random_password()

    # 1. Register: phone number, then the code from the SMS.
    form = start_registration(page, phone)
    code = outbox.wait_for_code(phone, "registration")
    fill_verify_form(page, form, code, name, password)
    page.submit(form)

    # 2. Home, signed in.
    assert_signed_in(page, name)

    # 3. Log out: back on the login page.
    log_out(page)

    # 4. Log in again in the same browser: a known device, so no SMS confirmation.
    device_sms_before = outbox.count(phone, "device")
    log_in(page, phone, password)
    assert "/login/confirm" not in page.driver.current_url, "known device was asked to confirm"
    assert_signed_in(page, name)
    assert outbox.count(phone, "device") == device_sms_before, "a known device got a device SMS"

    # 5. Log out, forget every cookie (a new device), and log in: confirmation by SMS.
    log_out(page)
    page.driver.delete_all_cookies()
    log_in(page, phone, password)
    page.url_contains("/login/confirm")
    confirm = page.visible("#confirm-form")
    code = outbox.wait_for_code(phone, "device", after=device_sms_before)
    page.fill(confirm, "code", code)
    page.submit(confirm)

    # 6. Home, signed in on the new device.
    assert_signed_in(page, name)
    page.screenshot("walkthrough-final.png")


def test_wrong_code_shows_an_alert_and_the_form_still_works(page, outbox):
    phone = random_phone()
    name = "Li Wei " + random_suffix()
    password = random_password()

    form = start_registration(page, phone)
    code = outbox.wait_for_code(phone, "registration")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"

    fill_verify_form(page, form, wrong, name, password)
    page.submit(form)

    error = page.visible(".error")
    assert error.get_attribute("role") == "alert", error.get_attribute("outerHTML")
    assert error.text.strip(), "the error message is empty"
    assert not page.driver.find_elements(By.ID, "whoami"), "signed in with a wrong code"

    # The page stays usable: the same form, now with the right code, signs the person in.
    form = page.visible("#verify-form")
    fill_verify_form(page, form, code, name, password)
    page.submit(form)
    assert_signed_in(page, name)
