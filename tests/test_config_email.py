"""The SMTP settings: read with defaults that follow SMTP_SECURITY, EMAIL_FROM required with a
server and kept to one line, and the password never shown nor sent in clear text across a network."""

from __future__ import annotations

from email import message_from_string, policy

import pytest

from config import ConfigError, Secret, load_settings
from handlers.email.notifier import SmtpSettings

SENDER = "Dialogbot <dialog@example.org>"
PASSWORD = "Tr0ub4dor&3-horse-battery"


def _smtp(**values: str) -> dict[str, str]:
    return {"SMTP_HOST": "smtp.example.org", "EMAIL_FROM": SENDER, **values}


def test_without_smtp_host_there_is_no_email() -> None:
    settings = load_settings({})
    assert not settings.has_email()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("", 587, "starttls")
    assert (settings.smtp_username, str(settings.smtp_password), settings.email_from) == ("", "", "")


def test_the_settings_are_read() -> None:
    settings = load_settings(_smtp(SMTP_HOST=" smtp.example.org ", SMTP_PORT="2525", SMTP_USERNAME="dialog",
                                   SMTP_PASSWORD=PASSWORD, SMTP_SECURITY="STARTTLS"))
    assert settings.has_email()
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == ("smtp.example.org", 2525,
                                                                              "starttls")
    assert (settings.smtp_username, str(settings.smtp_password)) == ("dialog", PASSWORD)
    assert settings.email_from == SENDER


def test_a_password_is_taken_as_typed() -> None:
    """Spaces at either end of a password are part of it (other values are trimmed)."""
    settings = load_settings(_smtp(SMTP_USERNAME="dialog", SMTP_PASSWORD=" spaced out "))
    assert str(settings.smtp_password) == " spaced out "


@pytest.mark.parametrize(("security", "port"), [
    ("", 587), ("starttls", 587), ("tls", 465), ("TLS", 465), ("none", 25), ("None", 25),
])
def test_the_port_follows_smtp_security_unless_given(security: str, port: int) -> None:
    settings = load_settings(_smtp(SMTP_SECURITY=security))
    assert settings.smtp_port == port
    assert settings.smtp_security == (security.lower() or "starttls")
    assert load_settings(_smtp(SMTP_SECURITY=security, SMTP_PORT="2525")).smtp_port == 2525


@pytest.mark.parametrize(("variable", "value"), [
    ("SMTP_SECURITY", "ssl"), ("SMTP_SECURITY", "starttls,tls"), ("SMTP_SECURITY", "yes"),
    ("SMTP_PORT", "0"), ("SMTP_PORT", "65536"), ("SMTP_PORT", "smtp"), ("SMTP_PORT", "-25"),
    ("SMTP_PORT", "5 87"),
])
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_smtp(**{variable: value}))
    assert error.value.variable == variable
    assert str(error.value).startswith(f"{variable}: ")


def test_email_from_is_required_with_smtp_host() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"SMTP_HOST": "smtp.example.org"})
    assert error.value.variable == "EMAIL_FROM"
    assert "dialog@example.org" in str(error.value)  # says what to write
    # Alone it is harmless: no server, no e-mail.
    assert not load_settings({"EMAIL_FROM": SENDER}).has_email()


@pytest.mark.parametrize(("typed", "name", "address"), [
    ("dialog@example.org", "", "dialog@example.org"),
    ("Dialogbot <dialog@example.org>", "Dialogbot", "dialog@example.org"),
    ("\"Dialog, Oslo\" <dialog@example.org>", "Dialog, Oslo", "dialog@example.org"),
    ("Oslo kommune – Dialogmøter <dialog@oslo.kommune.no>", "Oslo kommune – Dialogmøter",
     "dialog@oslo.kommune.no"),
])
def test_email_from_is_a_name_and_an_address_a_mail_system_reads_back(typed: str, name: str,
                                                                      address: str) -> None:
    settings = load_settings(_smtp(EMAIL_FROM=typed))
    header = message_from_string(f"From: {settings.email_from}\n\n", policy=policy.default)["From"]
    [parsed] = header.addresses
    assert (parsed.display_name, parsed.addr_spec) == (name, address)
    assert "\n" not in settings.email_from and "\r" not in settings.email_from


@pytest.mark.parametrize("typed", [
    "Dialogbot <dialog@example.org>\r\nBcc: everyone@example.org",
    "Dialogbot <dialog@example.org>\nBcc: everyone@example.org",
    "Dialogbot\r <dialog@example.org>",
    "\"Dialog\nBcc: everyone@example.org\" <dialog@example.org>",
])
def test_a_line_break_in_email_from_is_refused(typed: str) -> None:
    """A second line would be a header of its own in every e-mail the bot sends."""
    with pytest.raises(ConfigError) as error:
        load_settings(_smtp(EMAIL_FROM=typed))
    assert error.value.variable == "EMAIL_FROM"
    assert "one line" in str(error.value)


@pytest.mark.parametrize("typed", ["Dialogbot", "dialog@", "@example.org", "Dialogbot <>",
                                   "dialog at example.org"])
def test_email_from_without_an_address_is_refused(typed: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_smtp(EMAIL_FROM=typed))
    assert error.value.variable == "EMAIL_FROM"


def test_a_password_needs_a_user_name() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_smtp(SMTP_PASSWORD=PASSWORD))
    assert error.value.variable == "SMTP_USERNAME"
    assert PASSWORD not in str(error.value)


@pytest.mark.parametrize("host", ["smtp.example.org", "192.0.2.10", "mail"])
def test_a_password_in_clear_text_across_a_network_is_refused(host: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_smtp(SMTP_HOST=host, SMTP_SECURITY="none", SMTP_USERNAME="dialog",
                            SMTP_PASSWORD=PASSWORD))
    assert error.value.variable == "SMTP_SECURITY"
    assert PASSWORD not in str(error.value)
    # Encrypted, the same is fine; so is a relay that takes no password.
    for security in ("starttls", "tls"):
        assert load_settings(_smtp(SMTP_HOST=host, SMTP_SECURITY=security, SMTP_USERNAME="dialog",
                                   SMTP_PASSWORD=PASSWORD)).has_email()
    assert load_settings(_smtp(SMTP_HOST=host, SMTP_SECURITY="none")).smtp_port == 25


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1"])
def test_a_password_to_a_relay_on_this_machine_may_go_unencrypted(host: str) -> None:
    settings = load_settings(_smtp(SMTP_HOST=host, SMTP_SECURITY="none", SMTP_USERNAME="dialog",
                                   SMTP_PASSWORD=PASSWORD))
    assert settings.smtp_security == "none" and str(settings.smtp_password) == PASSWORD


def test_the_password_never_shows() -> None:
    settings = load_settings(_smtp(SMTP_USERNAME="dialog", SMTP_PASSWORD=PASSWORD))
    assert PASSWORD not in repr(settings) and PASSWORD not in str(settings)
    assert isinstance(settings.smtp_password, Secret) and repr(settings.smtp_password) == "Secret('***')"
    smtp = SmtpSettings(settings.smtp_host, settings.smtp_port, settings.smtp_security,
                        settings.smtp_username, settings.smtp_password, settings.email_from)
    assert PASSWORD not in repr(smtp) and PASSWORD not in str(smtp)


def test_a_password_pasted_into_another_setting_is_not_echoed() -> None:
    secretish = "hK8s2Lq9ZxV4mN7pR3tY6wB1"
    for variable in ("EMAIL_FROM", "SMTP_PORT", "SMTP_SECURITY"):
        with pytest.raises(ConfigError) as error:
            load_settings(_smtp(**{variable: secretish}))
        assert secretish not in str(error.value), variable


def test_link_secrets_are_read_newest_first_and_never_shown() -> None:
    new, old = "n" * 16 + "Kq8sL2vX9zT4mR7p", "o" * 16 + "Hj3Wb6Yc1Fd5Ge8A"
    settings = load_settings({"DIALOG_LINK_SECRET": f" {new} , {old} "})
    assert [str(key) for key in settings.link_secrets] == [new, old]
    assert new not in repr(settings) and old not in repr(settings)
    assert load_settings({}).link_secrets == ()


@pytest.mark.parametrize("value", ["short", "k" * 31, f"{'k' * 40},tooshort"])
def test_a_link_secret_under_32_characters_is_refused_without_showing_it(value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"DIALOG_LINK_SECRET": value})
    assert error.value.variable == "DIALOG_LINK_SECRET"
    assert "32" in str(error.value)
    for part in value.split(","):
        assert part not in str(error.value)
