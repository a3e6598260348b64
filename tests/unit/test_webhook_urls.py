"""Which webhook and intranet addresses are accepted: only the chat services' own hosts
over https, and only https origins; never an IP, a port or credentials."""

import pytest

from lokalamal_app.embed.origins import OriginError, check_origin
from lokalamal_app.webhooks.urls import WebhookUrlError, check_url


@pytest.fixture(autouse=True)
def _ctx(app_ctx):
    yield


@pytest.mark.parametrize("url, kind", [
    ("https://hooks.slack.com/services/T000/B000/XXXX", "slack"),
    ("https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/123/456", "teams"),
    ("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual", None),
    ("https://prod-12.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke",
     "teams"),
])
def test_slack_and_teams_addresses_are_accepted(url, kind):
    if kind is None:  # an explicit port, even 443, is refused
        with pytest.raises(WebhookUrlError):
            check_url(url)
        return
    assert check_url(url) == (url, kind)


@pytest.mark.parametrize("url, message", [
    ("http://hooks.slack.com/services/T/B/X", "https://"),
    ("https://hooks.slack.com.evil.example/services/T/B/X", "Bara webhookadresser"),
    ("https://evil.example/hooks.slack.com/services/T/B/X", "Bara webhookadresser"),
    ("https://webhook.office.com/x", "Bara webhookadresser"),
    ("https://127.0.0.1/services/T/B/X", "IP-adress"),
    ("https://[::1]/services/T/B/X", "IP-adress"),
    ("https://10.0.0.5/x", "IP-adress"),
    ("https://hooks.slack.com:8443/services/T/B/X", "port"),
    ("https://user:pw@hooks.slack.com/services/T/B/X", "lösenord"),
    ("https://hooks.slack.com@169.254.169.254/services/T/B/X", "lösenord"),
    ("https://hooks.slack.com/", "hooks.slack.com/services"),
    ("https://hooks.slack.com/services/T/B/X#frag", "#-del"),
    ("https://hooks.slack.com/services/T/B/X Y", "mellanslag"),
    ("file:///etc/passwd", "https://"),
    ("", "Skriv webhookadressen."),
    ("https://localhost/services/x", "Bara webhookadresser"),
    ("https://" + "a" * 600, "högst 500 tecken"),
])
def test_other_addresses_are_refused_with_a_swedish_reason(url, message):
    with pytest.raises(WebhookUrlError) as refused:
        check_url(url)
    assert message in str(refused.value)


def test_the_local_test_base_is_honoured_only_when_configured(app):
    with pytest.raises(WebhookUrlError):
        check_url("http://127.0.0.1:5999/slack/hook")
    app.config["WEBHOOK_TEST_ALLOWED_BASE"] = "http://127.0.0.1:5999"
    try:
        assert check_url("http://127.0.0.1:5999/slack/hook")[1] == "slack"
        with pytest.raises(WebhookUrlError):
            check_url("http://127.0.0.1:5998/slack/hook")
    finally:
        app.config["WEBHOOK_TEST_ALLOWED_BASE"] = None


def test_only_the_testing_configuration_has_the_local_test_base():
    from config import DevelopmentConfig, ProductionConfig, TestingConfig

    assert hasattr(TestingConfig, "WEBHOOK_TEST_ALLOWED_BASE")
    assert not hasattr(DevelopmentConfig, "WEBHOOK_TEST_ALLOWED_BASE")
    assert not hasattr(ProductionConfig, "WEBHOOK_TEST_ALLOWED_BASE")


@pytest.mark.parametrize("text, origin", [
    ("https://intranat.example.se", "https://intranat.example.se"),
    ("https://Intranat.Example.se/", "https://intranat.example.se"),
    ("https://intra.example.se:8443", "https://intra.example.se:8443"),
    ("https://intra.example.se:443", "https://intra.example.se"),
])
def test_https_origins_are_accepted_as_the_browser_writes_them(text, origin):
    assert check_origin(text) == origin


@pytest.mark.parametrize("text", [
    "http://intranat.example.se", "https://intranat.example.se/sida", "https://*.example.se",
    "intranat.example.se", "https://10.0.0.1", "https://localhost", "https://a@b.se",
    "https://intranat.example.se?x=1", "javascript:alert(1)", "'none'", "",
    "https://intranat.example.se; script-src *",
])
def test_other_origins_are_refused(text):
    with pytest.raises(OriginError):
        check_origin(text)
